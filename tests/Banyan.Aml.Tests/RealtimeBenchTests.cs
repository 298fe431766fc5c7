using Banyan.Aml.Cli;
using Xunit.Abstractions;

namespace Banyan.Aml.Tests;

public class RealtimeBenchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_realtime_bench_stores_one_alert_per_planted_burst_and_prints_latency()
    {
        var log = new StringWriter();

        var report = await RealtimeBench.RunAsync(transfers: 3_000, planted: 12, seed: 5, log, CancellationToken.None);

        output.WriteLine(log.ToString());
        Assert.Equal(12, report["planted"]);
        Assert.Equal(12, report["alerts"]); // ordinary traffic is shaped to stay below every threshold
        Assert.Contains("latency submit → alert row committed: p50", log.ToString(), StringComparison.Ordinal);
    }
}
