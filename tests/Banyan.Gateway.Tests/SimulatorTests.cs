using Xunit.Abstractions;

namespace Banyan.Gateway.Tests;

public sealed class SimulatorTests(ITestOutputHelper output)
{
    [Fact]
    public void Simulated_traffic_blocks_every_abusive_pattern_and_lets_normal_traffic_through()
    {
        var report = new TrafficSimulator(new SimulationOptions(Seed: 7, Partners: 8, CustomersPerPartner: 100, Hours: 1.5, AttackScale: 0.5)).Run();
        foreach (var kind in report.Kinds.Values)
        {
            output.WriteLine($"{kind.Kind,-22} calls {kind.Calls,7} blocked {kind.Blocked,7} limited {kind.RateLimited,5} step-up {kind.StepUps,5} first-block after {string.Join(",", kind.PassedBeforeFirstBlock)}");
        }

        output.WriteLine($"abusive blocked {report.AbusiveBlockedShare:P3}, legitimate blocked {report.LegitimateBlockedShare:P4}");
        foreach (var kind in report.Kinds.Values.Where(k => !SimulationReport.IsLegitimate(k.Kind)))
        {
            Assert.True(kind.Calls > 0, $"{kind.Kind} generated no calls");
            Assert.True(kind.Refused >= kind.Calls * 0.98, $"{kind.Kind}: {kind.Refused}/{kind.Calls} refused");
        }

        Assert.True(report.AbusiveBlockedShare >= 0.99, $"abusive blocked {report.AbusiveBlockedShare:P3}");
        Assert.True(report.LegitimateBlockedShare <= 0.001, $"legitimate blocked {report.LegitimateBlockedShare:P4}");
        Assert.True(report.Kinds[TrafficKind.Normal].Calls > 10_000);
    }

    [Fact]
    public void The_same_seed_gives_the_same_figures()
    {
        var options = new SimulationOptions(Seed: 11, Partners: 4, CustomersPerPartner: 50, Hours: 1, AttackScale: 0.2);
        var a = new TrafficSimulator(options).Run();
        var b = new TrafficSimulator(options).Run();
        Assert.Equal(a.Kinds.Values.Select(k => (k.Calls, k.Blocked, k.StepUps)), b.Kinds.Values.Select(k => (k.Calls, k.Blocked, k.StepUps)));
    }
}
