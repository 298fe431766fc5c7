using Banyan.Credit.Learning;
using Banyan.Credit.Portraits;
using Xunit.Abstractions;

namespace Banyan.Credit.Tests.Portraits;

public class FirstLoanTests(ITestOutputHelper output)
{
    [Fact]
    public void First_loan_model_separates_held_out_applicants_and_beats_the_majority_guess()
    {
        var data = FirstLoan.Generate(seed: 21, companies: 500);
        var (_, r) = FirstLoan.TrainAndEvaluate(data, new BoostingOptions { Trees = 150, MaxDepth = 3, LearningRate = 0.05, Seed = 21 });
        output.WriteLine($"train {r.TrainRows} test {r.TestRows} bad rate {r.BadRate:F3} AUC {r.Auc:F4} acc {r.Accuracy:F4} baseline AUC {r.BaselineAuc:F4} acc {r.BaselineAccuracy:F4} majority {r.MajorityAccuracy:F4}");
        foreach (var (f, v) in r.TopFeatures) output.WriteLine($"  {f} {v:F4}");
        Assert.Equal(150, r.TestRows);
        Assert.True(r.Auc >= 0.85, $"AUC {r.Auc}");
        Assert.True(r.Accuracy > r.MajorityAccuracy + 0.05, $"accuracy {r.Accuracy} vs majority {r.MajorityAccuracy}");
    }

    [Fact]
    public void Label_rule_is_deterministic_and_follows_health()
    {
        var a = new Random(1);
        var b = new Random(1);
        var healths = Enumerable.Range(0, 200).Select(i => i / 200.0).ToArray();
        var la = healths.Select(h => FirstLoan.LabelRule(h, a)).ToArray();
        Assert.Equal(la, healths.Select(h => FirstLoan.LabelRule(h, b)).ToArray());
        Assert.True(la.Take(50).Average() > 0.9); // health < 0.25
        Assert.True(la.Skip(120).Average() < 0.05); // health ≥ 0.6
    }
}
