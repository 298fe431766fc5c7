using Banyan.Credit.Learning;
using Banyan.Credit.Model;

namespace Banyan.Credit.Tests;

public class MetricsTests
{
    [Fact]
    public void Auc_counts_ties_as_one_half()
    {
        // Pairs (bad, good): (0.8,0.1) win, (0.8,0.4) win, (0.4,0.1) win, (0.4,0.4) tie → 3.5 / 4.
        Assert.Equal(0.875, Metrics.Auc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1]), 1e-12);
        Assert.Equal(0.0, Metrics.Auc([0.9, 0.1], [0, 1]), 1e-12);
        Assert.True(double.IsNaN(Metrics.Auc([0.1, 0.2], [1, 1])));
    }

    [Fact]
    public void Ks_is_the_largest_gap_between_the_score_distributions()
    {
        // Goods 0.1 0.2 0.6, bads 0.5 0.9: after 0.2, F_good = 2/3 and F_bad = 0 → KS 2/3.
        Assert.Equal(2 / 3.0, Metrics.Ks([0.1, 0.2, 0.5, 0.6, 0.9], [0, 0, 1, 0, 1]), 1e-12);
    }

    [Fact]
    public void Brier_is_the_mean_squared_error_of_the_bad_probability() =>
        Assert.Equal(((0.2 * 0.2) + (0.4 * 0.4)) / 2, Metrics.Brier([0.2, 0.6], [0, 1]), 1e-12);

    [Fact]
    public void Calibration_recovers_a_known_logistic_relation()
    {
        var random = new Random(3);
        var margin = Enumerable.Range(0, 20000).Select(_ => (random.NextDouble() * 8) - 4).ToArray();
        var bad = margin.Select(m => random.NextDouble() < Metrics.Sigmoid((0.5 * m) - 1) ? 1 : 0).ToArray();
        var c = Calibration.Fit(margin, bad);
        Assert.Equal(0.5, c.A, 0.05);
        Assert.Equal(-1, c.B, 0.05);
    }

    [Fact]
    public void Threshold_for_a_rate_approves_that_fraction()
    {
        double[] p = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
        var t = Decisions.ThresholdForRate(p, 0.7);
        Assert.Equal(7, p.Count(v => v < t));
        Assert.Equal(10, p.Count(v => v < Decisions.ThresholdForRate(p, 1.0)));
    }

    [Fact]
    public void Cost_threshold_minimises_expected_cost()
    {
        // Approving a bad costs 5, declining a good costs 1. Sorted: g(0.1) g(0.2) b(0.3) g(0.4) g(0.5).
        // Approve first two → cost 2 (two goods declined); approving through 0.5 → 5 (one bad) — so stop at 0.2.
        double[] p = [0.1, 0.2, 0.3, 0.4, 0.5];
        int[] bad = [0, 0, 1, 0, 0];
        var t = Decisions.ThresholdForCost(p, bad, 5, 1);
        Assert.Equal(2, p.Count(v => v < t));
    }
}
