namespace Banyan.Gateway;

/// <summary>One measurement window of the HTTP bench: rate and CPU per read of the host and the bench client.</summary>
internal readonly record struct BenchRound(double ReadsPerSecond, double HostMicros, double ClientMicros, long Ok, long Failed);

/// <summary>Median, smallest and largest of one figure over the rounds.</summary>
internal readonly record struct Spread(double Median, double Min, double Max)
{
    /// <summary>The spread of <paramref name="values"/>; the median of an even count is the mean of the two middle values.</summary>
    public static Spread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("at least one value is needed", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1]);
    }
}

/// <summary>
/// The figures <c>banyan bench gateway</c> reports for several rounds on the same host: the median of each (the
/// machine's own speed varies from window to window, so one window is not a robust figure), and min/max of the rate.
/// Each figure's median is taken on its own, so the host's median CPU may come from another round than the median rate.
/// </summary>
internal sealed record BenchSummary(int Rounds, Spread ReadsPerSecond, Spread HostMicros, Spread ClientMicros, long Ok, long Failed)
{
    public static BenchSummary Of(IReadOnlyList<BenchRound> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        if (rounds.Count == 0)
        {
            throw new ArgumentException("at least one round is needed", nameof(rounds));
        }

        return new BenchSummary(
            rounds.Count,
            Spread.Of([.. rounds.Select(r => r.ReadsPerSecond)]),
            Spread.Of([.. rounds.Select(r => r.HostMicros)]),
            Spread.Of([.. rounds.Select(r => r.ClientMicros)]),
            rounds.Sum(r => r.Ok),
            rounds.Sum(r => r.Failed));
    }
}
