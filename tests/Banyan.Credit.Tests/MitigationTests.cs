using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;

namespace Banyan.Credit.Tests;

public class MitigationTests
{
    /// <summary>Outer 5-fold on credit-g, age &gt; 25 privileged, 70 % approval; 100 trees to keep the test quick.</summary>
    private static HeldOutResult HeldOut(double maxGap) =>
        Banyan.Credit.Model.HeldOut.Evaluate(TestData.CreditGTable, new TrainRequest
        {
            Label = "class", BadValue = "bad", Protected = new ProtectedGroup("age", ">25"), TargetApprovalRate = 0.7, MaxParityGap = maxGap,
            Boosting = new BoostingOptions { Trees = 100, LearningRate = 0.1 },
        }, folds: 5, seed: 2024);

    [Fact]
    public void Mitigation_meets_the_parity_gap_on_held_out_credit_g_while_the_unmitigated_model_does_not()
    {
        var unmitigated = HeldOut(maxGap: 1.0);
        var mitigated = HeldOut(maxGap: 0.05);

        Assert.All(unmitigated.Mitigations, c => Assert.Equal("none", c));
        Assert.True(Math.Abs(unmitigated.ParityGap) > 0.05, $"young applicants are approved less without mitigation (gap {unmitigated.ParityGap})");
        Assert.All(mitigated.Mitigations, c => Assert.NotEqual("none", c));
        Assert.True(Math.Abs(mitigated.ParityGap) <= 0.05, $"held-out parity gap {mitigated.ParityGap} exceeds 0.05");
        Assert.True(mitigated.Auc > 0.74, $"held-out AUC {mitigated.Auc} collapsed");
    }

    [Fact]
    public void Reweighing_makes_group_and_outcome_independent_in_the_weighted_data()
    {
        int[] bad = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0];
        int[] group = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        var w = Reweighing.Weights(bad, group, Enumerable.Range(0, 10).ToArray());
        double Weighted(Func<int, bool> where) => Enumerable.Range(0, 10).Where(where).Sum(i => w[i]);
        var total = Weighted(_ => true);
        for (var g = 0; g <= 1; g++)
        {
            var pg = Weighted(i => group[i] == g) / total;
            var pBadGivenG = Weighted(i => group[i] == g && bad[i] == 1) / Weighted(i => group[i] == g);
            Assert.Equal(Weighted(i => bad[i] == 1) / total, pBadGivenG, 1e-12);
            Assert.True(pg > 0);
        }
        // Hand value: P(g=0)=0.4, P(bad)=0.3, P(g=0,bad)=0.2 → 0.4·0.3/0.2 = 0.6.
        Assert.Equal(0.6, w[0], 1e-12);
    }
}
