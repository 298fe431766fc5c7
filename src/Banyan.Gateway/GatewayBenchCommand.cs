using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Spectre.Console.Cli;

namespace Banyan.Gateway;

/// <summary>
/// <c>banyan bench gateway</c>: (1) the traffic simulator through the detector and limiter, in process,
/// deterministic; (2) authenticated reads of <c>GET /v1/gateway/echo</c> against a real Banyan host
/// (a child process on loopback, real OpenIddict JWTs) for throughput and the middleware's own p99.
/// </summary>
internal sealed class GatewayBenchCommand : AsyncCommand<GatewayBenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--seed")]
        [Description("Simulator seed (default 20261126)")]
        public int Seed { get; init; } = 20261126;

        [CommandOption("--partners")]
        [Description("Simulated partners (default 20)")]
        public int Partners { get; init; } = 20;

        [CommandOption("--customers")]
        [Description("Customers per partner (default 200)")]
        public int Customers { get; init; } = 200;

        [CommandOption("--hours")]
        [Description("Simulated hours of traffic (default 2)")]
        public double Hours { get; init; } = 2;

        [CommandOption("--seconds")]
        [Description("Duration of each HTTP throughput round (default 10)")]
        public int Seconds { get; init; } = 10;

        [CommandOption("--rounds")]
        [Description("Measurement rounds of --seconds each on the same warm host; the median is reported (default 3)")]
        public int Rounds { get; init; } = 3;

        [CommandOption("--warmup")]
        [Description("Seconds of unmeasured load before the first round, while the host's JIT settles (default 15)")]
        public int Warmup { get; init; } = 15;

        [CommandOption("--connections")]
        [Description("Concurrent HTTP connections (default 64)")]
        public int Connections { get; init; } = 64;

        [CommandOption("--skip-http")]
        [Description("Only run the simulator")]
        public bool SkipHttp { get; init; }

        [CommandOption("--json")]
        [Description("Print the figures as JSON on stdout")]
        public bool Json { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Seconds is < 1 or > 300 ? Spectre.Console.ValidationResult.Error("--seconds must be 1..300")
            : Warmup is < 0 or > 300 ? Spectre.Console.ValidationResult.Error("--warmup must be 0..300")
            : Rounds is < 1 or > 20 ? Spectre.Console.ValidationResult.Error("--rounds must be 1..20")
            : Connections is < 1 or > 1024 ? Spectre.Console.ValidationResult.Error("--connections must be 1..1024")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        var options = new SimulationOptions(settings.Seed, settings.Partners, settings.Customers, settings.Hours);
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new Banyan.Platform.CliUsageException(ex.Message);
        }

        var figures = new Dictionary<string, object>();
        log.WriteLine($"gateway bench: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        var report = new TrafficSimulator(options).Run();
        PrintSimulation(report, options, log, figures);
        if (!settings.SkipHttp)
        {
            var http = await HttpBench.RunAsync(settings.Seconds, settings.Connections, settings.Rounds, settings.Warmup, log, cancellationToken);
            foreach (var (key, value) in http) figures[key] = value;
        }

        if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }

    private static void PrintSimulation(SimulationReport report, SimulationOptions options, TextWriter log, Dictionary<string, object> figures)
    {
        log.WriteLine($"simulator: seed {options.Seed}, {options.Partners} partners x {options.CustomersPerPartner} customers, {options.Hours:0.#} h of virtual time; {report.LegitimateCalls + report.AbusiveCalls:N0} calls judged in {report.Seconds:0.00} s");
        log.WriteLine($"{"traffic",-24} {"calls",9} {"blocked",9} {"429",6} {"step-up",8} {"refused",9}  calls before first block (per episode)");
        foreach (var kind in report.Kinds.Values)
        {
            var share = kind.Calls == 0 ? 0 : kind.Refused / (double)kind.Calls;
            var latency = kind.PassedBeforeFirstBlock.Count == 0 ? "" : $"max {kind.PassedBeforeFirstBlock.Max()}, mean {kind.PassedBeforeFirstBlock.Average():0.#}";
            log.WriteLine($"{Name(kind.Kind),-24} {kind.Calls,9:N0} {kind.Blocked,9:N0} {kind.RateLimited,6:N0} {kind.StepUps,8:N0} {share,9:P2}  {latency}");
        }

        var abusiveOk = report.AbusiveBlockedShare >= 0.997 ? "met" : "MISSED";
        var legitOk = report.LegitimateBlockedShare <= 0.001 ? "met" : "MISSED";
        log.WriteLine($"abusive calls blocked:    {report.AbusiveBlockedShare:P3} ({report.AbusiveRefused:N0}/{report.AbusiveCalls:N0}); target >= 99.7% {abusiveOk}");
        log.WriteLine($"legitimate calls blocked: {report.LegitimateBlockedShare:P3} ({report.LegitimateRefused:N0}/{report.LegitimateCalls:N0}); target <= 0.1% {legitOk}");
        figures["abusive_blocked_share"] = Math.Round(report.AbusiveBlockedShare, 5);
        figures["legitimate_blocked_share"] = Math.Round(report.LegitimateBlockedShare, 5);
        figures["abusive_calls"] = report.AbusiveCalls;
        figures["legitimate_calls"] = report.LegitimateCalls;
        figures["detector_calls_per_second"] = Math.Round((report.AbusiveCalls + report.LegitimateCalls) / Math.Max(1e-9, report.Seconds));
        figures["patterns"] = report.Kinds.Values.ToDictionary(k => Name(k.Kind), k => new Dictionary<string, long>
        {
            ["calls"] = k.Calls, ["blocked"] = k.Blocked, ["rate_limited"] = k.RateLimited, ["step_ups"] = k.StepUps,
        });
    }

    private static string Name(TrafficKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()).ToString(CultureInfo.InvariantCulture);
}
