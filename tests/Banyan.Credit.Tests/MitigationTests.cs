using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;

namespace Banyan.Credit.Tests;

public class MitigationTests
{
    /// <summary>
    /// Outer 5-fold cross-validation on credit-g: each fold trains the whole pipeline (with its own inner
    /// cross-validation and mitigation choice) on 800 rows and decides the 200 held-out rows. The pooled
    /// held-out decisions are audited, so every applicant is judged by a model that never saw them.
    /// </summary>
    private static (double Gap, double Auc, IReadOnlyList<string> Choices) HeldOut(double maxGap)
    {
        var table = TestData.CreditGTable;
        var protectedGroup = new ProtectedGroup("age", ">25");
        var request = new TrainRequest
        {
            Label = "class", BadValue = "bad", Protected = protectedGroup, TargetApprovalRate = 0.7, MaxParityGap = maxGap,
            Boosting = new BoostingOptions { Trees = 100, LearningRate = 0.1 },
        };
        var all = Enumerable.Range(0, table.Rows.Count).ToArray();
        var bad = all.Select(r => table.Rows[r][table.ColumnIndex("class")] == "bad" ? 1 : 0).ToArray();
        var fold = Pipeline.StratifiedFolds(bad, 5, 2024);
        var approved = new bool[all.Length];
        var margin = new double[all.Length];
        var choices = new List<string>();
        for (var k = 0; k < 5; k++)
        {
            var document = Trainer.Train(table, all.Where(i => fold[i] != k).ToArray(), request, TextWriter.Null);
            choices.Add(document.Fairness!.Mitigation);
            var model = new CreditModel(document);
            var test = all.Where(i => fold[i] == k).ToArray();
            var x = model.Schema.Encode(table, test);
            var groups = protectedGroup.Classify(table, test);
            for (var j = 0; j < test.Length; j++)
            {
                margin[test[j]] = model.Margin(x[j]);
                approved[test[j]] = model.Approve(model.Calibration.Probability(margin[test[j]]), groups[j]);
            }
        }
        var report = FairnessReport.Compute(approved, bad, protectedGroup.Classify(table, all), protectedGroup.GroupName);
        return (report.DemographicParityDifference, Metrics.Auc(margin, bad), choices);
    }

    [Fact]
    public void Mitigation_meets_the_parity_gap_on_held_out_credit_g_while_the_unmitigated_model_does_not()
    {
        var unmitigated = HeldOut(maxGap: 1.0);
        var mitigated = HeldOut(maxGap: 0.05);

        Assert.All(unmitigated.Choices, c => Assert.Equal("none", c));
        Assert.True(Math.Abs(unmitigated.Gap) > 0.05, $"young applicants are approved less without mitigation (gap {unmitigated.Gap})");
        Assert.All(mitigated.Choices, c => Assert.NotEqual("none", c));
        Assert.True(Math.Abs(mitigated.Gap) <= 0.05, $"held-out parity gap {mitigated.Gap} exceeds 0.05");
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
