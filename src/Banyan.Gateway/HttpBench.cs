using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Banyan.Gateway;

/// <summary>
/// The loopback half of <c>banyan bench gateway</c>: starts <c>Banyan.Server.dll</c> (next to the CLI)
/// as a child process on a fresh data directory, takes a real client-credentials JWT, and reads
/// <c>GET /v1/gateway/echo</c> from many connections; then asks the host for the middleware's p99.
/// </summary>
internal static class HttpBench
{
    private const string ClientId = "bench-gateway";
    private const string ClientSecret = "bench-gateway-secret-for-loopback-only";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    public static async Task<Dictionary<string, object>> RunAsync(int seconds, int connections, int rounds, int warmupSeconds, TextWriter log, CancellationToken ct)
    {
        // BANYAN_BENCH_SERVER_DLL: measure another build of the host with this client (before/after comparisons).
        var serverDll = Environment.GetEnvironmentVariable("BANYAN_BENCH_SERVER_DLL") is { Length: > 0 } other ? other : Path.Combine(AppContext.BaseDirectory, "Banyan.Server.dll");
        var figures = new Dictionary<string, object>();
        if (!File.Exists(serverDll))
        {
            log.WriteLine($"http: skipped, {serverDll} not found (run from the banyan CLI's directory)");
            return figures;
        }

        var data = Path.Combine(Path.GetTempPath(), "banyan-bench-gateway-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var port = FreePort();
        using var process = Start(serverDll, data, port);
        try
        {
            var baseAddress = new Uri($"http://127.0.0.1:{port}/");
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            await WaitReadyAsync(http, process, ct);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http, ct));
            log.WriteLine($"http: Banyan host pid {process.Id} on {baseAddress}; {connections} connections, {rounds} round(s) of {seconds} s after a {warmupSeconds} s warm-up");
            // The warm-up is the same load, unmeasured: the host's JIT keeps recompiling hot code for the first
            // ~15-20 s of load on 2 cores (tiered compilation), which is a one-off cost, not a cost per read.
            await LoadAsync(http, connections, TimeSpan.FromSeconds(warmupSeconds), log, ct);
            var measured = new List<BenchRound>(rounds);
            for (var round = 1; round <= rounds; round++)
            {
                var result = await RoundAsync(http, process, connections, seconds, log, ct);
                measured.Add(result);
                log.WriteLine($"round {round}/{rounds}: {result.ReadsPerSecond:N0} req/s ({result.Ok:N0} ok, {result.Failed:N0} not ok); CPU per read: host {result.HostMicros:0} us, client {result.ClientMicros:0} us");
            }

            using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri("v1/gateway/stats", UriKind.Relative), ct));
            Report(BenchSummary.Of(measured), stats.RootElement, log, figures);
            return figures;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    // One measurement window on the already warm host: reads per second and the CPU each read cost both processes.
    private static async Task<BenchRound> RoundAsync(HttpClient http, Process process, int connections, int seconds, TextWriter log, CancellationToken ct)
    {
        var (serverCpu, clientCpu) = (CpuOf(process), CpuOf(Process.GetCurrentProcess()));
        var (ok, failed, elapsed) = await LoadAsync(http, connections, TimeSpan.FromSeconds(seconds), log, ct);
        // CPU per read, not only reads per second: on a shared machine the rate follows the neighbours' load,
        // the CPU each read costs the host (and the client) much less so (decision 0620).
        var serverMicros = (CpuOf(process) - serverCpu).TotalMicroseconds / Math.Max(1, ok + failed);
        var clientMicros = (CpuOf(Process.GetCurrentProcess()) - clientCpu).TotalMicroseconds / Math.Max(1, ok + failed);
        return new BenchRound(ok / elapsed.TotalSeconds, serverMicros, clientMicros, ok, failed);
    }

    private static void Report(BenchSummary summary, JsonElement stats, TextWriter log, Dictionary<string, object> figures)
    {
        var p99 = stats.GetProperty("overhead_p99_micros").GetDouble();
        var p50 = stats.GetProperty("overhead_p50_micros").GetDouble();
        var rate = summary.ReadsPerSecond;
        log.WriteLine($"authenticated reads: median {rate.Median:N0} req/s over {summary.Rounds} round(s) (min {rate.Min:N0}, max {rate.Max:N0}; {summary.Ok:N0} ok, {summary.Failed:N0} not ok); target >= 10,000 req/s {(rate.Median >= 10_000 ? "met" : "MISSED")}");
        log.WriteLine($"gateway middleware time per call: p50 {p50:0} us, p99 {p99:0} us (whole run, host-measured, endpoint excluded)");
        var (host, client) = (summary.HostMicros.Median, summary.ClientMicros.Median);
        log.WriteLine($"CPU per read (median): host {host:0} us (min {summary.HostMicros.Min:0}, max {summary.HostMicros.Max:0}), bench client {client:0} us; {Environment.ProcessorCount} cores fit about {Environment.ProcessorCount * 1e6 / Math.Max(1, host + client):N0} reads/s with both on them");
        figures["host_cpu_micros_per_read"] = Math.Round(host, 1);
        figures["client_cpu_micros_per_read"] = Math.Round(client, 1);
        figures["reads_per_second"] = Math.Round(rate.Median);
        figures["reads_per_second_min"] = Math.Round(rate.Min);
        figures["reads_per_second_max"] = Math.Round(rate.Max);
        figures["rounds"] = summary.Rounds;
        figures["reads_failed"] = summary.Failed;
        figures["overhead_p50_micros"] = p50;
        figures["overhead_p99_micros"] = p99;
    }

    private static TimeSpan CpuOf(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static Process Start(string serverDll, string data, int port)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = false, RedirectStandardError = false, UseShellExecute = false };
        foreach (var a in new[] { serverDll, "--urls", $"http://127.0.0.1:{port}", "--data", data }) start.ArgumentList.Add(a);
        start.Environment["BANYAN_BOOTSTRAP_CLIENT_ID"] = ClientId;
        start.Environment["BANYAN_BOOTSTRAP_CLIENT_SECRET"] = ClientSecret;
        // The bench partner has bought a large plan: the run measures the gateway, not its 429s.
        foreach (var (window, value) in new[] { ("PerSecond", "1000000"), ("PerMinute", "60000000"), ("PerHour", "1000000000"), ("PerMonth", "1000000000000") })
        {
            start.Environment[$"Banyan__Gateway__Partners__{ClientId}__{window}"] = value;
        }

        start.Environment["Banyan__RateLimits__ClientPermitsPerSecond"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start Banyan.Server");
    }

    private static async Task<(long Ok, long Failed, TimeSpan Elapsed)> LoadAsync(HttpClient http, int connections, TimeSpan duration, TextWriter log, CancellationToken ct)
    {
        long ok = 0, failed = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        // One resource for every worker: distinct ids per caller are what the detector calls scraping.
        var path = new Uri("v1/gateway/echo", UriKind.Relative);
        var workers = Enumerable.Range(0, connections).Select(async _ =>
        {
            while (clock.Elapsed < duration && !ct.IsCancellationRequested)
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
                if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                else if (Interlocked.Increment(ref failed) == 1) firstFailure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
            }
        }).ToArray();
        await Task.WhenAll(workers);
        if (firstFailure is not null) log.WriteLine("http: first failed read: " + (firstFailure.Length <= 300 ? firstFailure : firstFailure[..300]));
        return (ok, failed, clock.Elapsed);
    }

    private static async Task<string> TokenAsync(HttpClient http, CancellationToken ct)
    {
        using var form = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", ClientId), new("client_secret", ClientSecret), new("scope", "gateway admin")]);
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form, ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("no access_token");
    }

    private static async Task WaitReadyAsync(HttpClient http, Process process, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited) throw new InvalidOperationException($"Banyan.Server exited during start-up with code {process.ExitCode}");
            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            // Polling a starting process: there is nothing to wait on but its port.
            await Task.Delay(100, ct);
        }

        throw new TimeoutException("Banyan.Server did not become ready within " + StartTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
