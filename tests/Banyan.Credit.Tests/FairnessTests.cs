using Banyan.Credit.Fairness;

namespace Banyan.Credit.Tests;

public class FairnessTests
{
    private static string Name(int g) => g == 1 ? "priv" : "unpriv";

    [Fact]
    public void Audit_matches_a_hand_computed_table()
    {
        // Privileged (group 1), 10 applicants: 6 good (5 approved), 4 bad (1 approved) → approval 6/10, TPR 5/6, FPR 1/4.
        // Unprivileged (group 0), 8 applicants: 4 good (2 approved), 4 bad (1 approved) → approval 3/8, TPR 2/4, FPR 1/4.
        // One applicant with unknown group (−1) is left out.
        var rows = new List<(int Group, int Bad, bool Approved)>();
        void Add(int group, int bad, bool approved, int count) { for (var i = 0; i < count; i++) rows.Add((group, bad, approved)); }
        Add(1, 0, true, 5); Add(1, 0, false, 1); Add(1, 1, true, 1); Add(1, 1, false, 3);
        Add(0, 0, true, 2); Add(0, 0, false, 2); Add(0, 1, true, 1); Add(0, 1, false, 3);
        Add(-1, 0, true, 1);
        var report = FairnessReport.Compute(rows.Select(r => r.Approved).ToList(), rows.Select(r => r.Bad).ToList(), rows.Select(r => r.Group).ToList(), Name);

        var privileged = report.Groups.Single(g => g.Group == "priv");
        var unprivileged = report.Groups.Single(g => g.Group == "unpriv");
        Assert.Equal((10, 0.6, 5 / 6.0, 0.25), (privileged.N, privileged.ApprovalRate, privileged.Tpr!.Value, privileged.Fpr!.Value));
        Assert.Equal((8, 0.375, 0.5, 0.25), (unprivileged.N, unprivileged.ApprovalRate, unprivileged.Tpr!.Value, unprivileged.Fpr!.Value));
        Assert.Equal(0.375 - 0.6, report.DemographicParityDifference, 1e-12);
        Assert.Equal(0.5 - (5 / 6.0), report.EqualOpportunityDifference!.Value, 1e-12);
        Assert.Equal(0.625, report.DisparateImpact!.Value, 1e-12);
        Assert.False(report.FourFifthsRule);
    }

    [Fact]
    public void Equal_treatment_passes_the_four_fifths_rule_with_zero_differences()
    {
        bool[] approved = [true, false, true, false];
        int[] bad = [0, 1, 0, 1];
        int[] group = [1, 1, 0, 0];
        var report = FairnessReport.Compute(approved, bad, group, Name);
        Assert.Equal(0, report.DemographicParityDifference);
        Assert.Equal(0, report.EqualOpportunityDifference);
        Assert.Equal(1, report.DisparateImpact);
        Assert.True(report.FourFifthsRule);
    }

    [Fact]
    public void A_group_without_good_applicants_has_no_true_positive_rate()
    {
        var report = FairnessReport.Compute([true, false], [1, 0], [0, 1], Name);
        Assert.Null(report.Groups.Single(g => g.Group == "unpriv").Tpr);
        Assert.Null(report.EqualOpportunityDifference);
    }

    [Theory]
    [InlineData(">25", "26", 1)]
    [InlineData(">25", "25", 0)]
    [InlineData(">25", "19.5", 0)]
    [InlineData(">=26", "26", 1)]
    [InlineData("<=25", "25", 1)]
    [InlineData("yes", "yes", 1)]
    [InlineData("yes", "no", 0)]
    [InlineData(">25", null, -1)]
    [InlineData(">25", "unknown", -1)]
    public void Privileged_spec_derives_the_group(string privileged, string? value, int expected) =>
        Assert.Equal(expected, new ProtectedGroup("age", privileged).Classify(value));

    [Fact]
    public void Comparison_groups_are_named_by_the_rule_and_its_complement()
    {
        var p = new ProtectedGroup("age", ">25");
        Assert.Equal(("age>25", "age<=25"), (p.PrivilegedName, p.UnprivilegedName));
        Assert.Throws<ArgumentException>(() => new ProtectedGroup("age", ">abc").Validate());
    }
}
