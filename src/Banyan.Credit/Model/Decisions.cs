using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>Cut-offs on P(bad): approve when P(bad) &lt; threshold.</summary>
internal static class Decisions
{
    /// <summary>The threshold that approves a fraction <paramref name="rate"/> of the given probabilities (lowest risk first).</summary>
    public static double ThresholdForRate(IReadOnlyList<double> probability, double rate)
    {
        if (probability.Count == 0) return 0.5;
        var sorted = probability.Order().ToArray();
        var k = (int)Math.Round(rate * sorted.Length, MidpointRounding.AwayFromZero);
        if (k <= 0) return sorted[0];
        if (k >= sorted.Length) return 1.0;
        return (sorted[k - 1] + sorted[k]) / 2;
    }

    /// <summary>The threshold minimising cost(bad approved)·#bad approved + cost(good declined)·#good declined.</summary>
    public static double ThresholdForCost(IReadOnlyList<double> probability, IReadOnlyList<int> bad, double costBadApproved, double costGoodDeclined)
    {
        var order = Enumerable.Range(0, probability.Count).OrderBy(i => probability[i]).ToArray();
        // Start by declining everyone, then approve in order of increasing risk.
        var cost = costGoodDeclined * bad.Count(b => b == 0);
        var best = cost;
        var bestThreshold = order.Length == 0 ? 0.5 : probability[order[0]];
        for (var j = 0; j < order.Length; j++)
        {
            cost += bad[order[j]] == 1 ? costBadApproved : -costGoodDeclined;
            var tieAhead = j + 1 < order.Length && probability[order[j + 1]] == probability[order[j]];
            if (tieAhead || cost >= best) continue;
            best = cost;
            bestThreshold = j + 1 < order.Length ? (probability[order[j]] + probability[order[j + 1]]) / 2 : 1.0;
        }
        return bestThreshold;
    }

    /// <summary>Per-group thresholds giving each group the approval rate <paramref name="rate"/>.</summary>
    public static (double Privileged, double Unprivileged) GroupThresholds(IReadOnlyList<double> probability, IReadOnlyList<int> group, double rate)
    {
        var privileged = probability.Where((_, i) => group[i] == ProtectedGroup.PrivilegedGroup).ToArray();
        var unprivileged = probability.Where((_, i) => group[i] == ProtectedGroup.UnprivilegedGroup).ToArray();
        return (ThresholdForRate(privileged, rate), ThresholdForRate(unprivileged, rate));
    }

    /// <summary>
    /// The score a decision actually ranks by: log-odds distance to the applicant's own threshold. Its
    /// AUC is what a per-group threshold costs in discrimination.
    /// </summary>
    public static double[] DecisionScore(IReadOnlyList<double> probability, IReadOnlyList<int> group, Func<int, double> threshold)
    {
        var score = new double[probability.Count];
        for (var i = 0; i < score.Length; i++)
            score[i] = Metrics.Logit(Clamp(probability[i])) - Metrics.Logit(Clamp(threshold(group[i])));
        return score;
    }

    private static double Clamp(double p) => Math.Clamp(p, 1e-12, 1 - 1e-12);
}
