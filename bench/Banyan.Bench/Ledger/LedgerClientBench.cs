using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Banyan.Ledger;
using Banyan.Ledger.Client;
using Spectre.Console.Cli;

namespace Banyan.Bench.Ledger;

/// <summary>Settings of the hidden <c>banyan bench ledger-client</c>: the client side of rows 2 and 3, run in its own process.</summary>
public sealed class LedgerClientBenchSettings : CommandSettings
{
    /// <summary>Base address of the server under test.</summary>
    [CommandOption("--url <URL>")]
    public string Url { get; init; } = "";

    /// <summary><c>bulk</c> (binary bulk path through <see cref="LedgerClient"/>) or <c>rest</c> (JSON batches).</summary>
    [CommandOption("--mode <MODE>")]
    [DefaultValue("bulk")]
    public string Mode { get; init; } = "bulk";

    /// <summary>Transfers to send.</summary>
    [CommandOption("--transfers <N>")]
    [DefaultValue(1_000_000L)]
    public long Transfers { get; init; } = 1_000_000;

    /// <summary>Accounts (ids 1..N) the workload spreads over; created first if absent.</summary>
    [CommandOption("--accounts <N>")]
    [DefaultValue(10_000)]
    public int Accounts { get; init; } = 10_000;

    /// <summary><c>uniform</c> or <c>zipf</c>.</summary>
    [CommandOption("--workload <NAME>")]
    [DefaultValue("uniform")]
    public string Workload { get; init; } = "uniform";

    /// <summary>Requests in flight.</summary>
    [CommandOption("--concurrency <N>")]
    [DefaultValue(4)]
    public int Concurrency { get; init; } = 4;

    /// <summary>Added to every transfer id, so several runs can share one ledger.</summary>
    [CommandOption("--id-base <N>")]
    [DefaultValue(0L)]
    public long IdBase { get; init; }
}

/// <summary>
/// The client process of rows 2 and 3: generates the workload, sends it in full batches with a few
/// requests in flight, and prints one JSON object of figures on stdout (progress on stderr).
/// </summary>
public sealed class LedgerClientBenchCommand : AsyncCommand<LedgerClientBenchSettings>
{
    /// <summary>Environment variable carrying the client secret (kept off the command line).</summary>
    public const string SecretVariable = "BANYAN_BENCH_CLIENT_SECRET";

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, LedgerClientBenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var secret = Environment.GetEnvironmentVariable(SecretVariable) ?? BenchServer.ClientSecret;
        var baseAddress = new Uri(settings.Url);
        var options = new InProcessBenchOptions
        {
            Accounts = settings.Accounts,
            Transfers = settings.Transfers,
            Workload = settings.Workload == "zipf" ? LedgerWorkload.Zipf : LedgerWorkload.Uniform,
        };
        await using var client = new LedgerClient(new LedgerClientOptions
        {
            BaseAddress = baseAddress,
            ClientId = BenchServer.ClientId,
            ClientSecret = secret,
            MaxConcurrentRequests = Math.Clamp(settings.Concurrency, 1, 64),
        });
        await EnsureAccountsAsync(client, settings.Accounts, cancellationToken);
        var batches = TransferWorkload.Generate(options);
        Offset(batches, (ulong)settings.IdBase);
        await Console.Error.WriteLineAsync($"{settings.Mode}: {settings.Transfers:N0} transfers in {batches.Length:N0} batches, {settings.Concurrency} in flight");
        RunFigures figures = settings.Mode == "rest"
            ? await RestRunner.RunAsync(baseAddress, secret, batches, settings.Concurrency, cancellationToken)
            : await BulkRunner.RunAsync(client, batches, settings.Concurrency, cancellationToken);
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(figures, RunFigures.Json));
        return 0;
    }

    private static async Task EnsureAccountsAsync(LedgerClient client, int accounts, CancellationToken ct)
    {
        for (var start = 1; start <= accounts; start += LedgerClient.MaxBatchEvents)
        {
            var n = Math.Min(LedgerClient.MaxBatchEvents, accounts - start + 1);
            var batch = new Account[n];
            for (var i = 0; i < n; i++) batch[i] = new Account { Id = (UInt128)(start + i), Ledger = 1, Code = 1 };
            var results = await client.CreateAccountsAsync(batch, ct);
            var bad = results.FirstOrDefault(r => r is not (CreateAccountResult.Created or CreateAccountResult.Exists));
            if (bad != CreateAccountResult.Created) throw new InvalidOperationException("account setup failed: " + bad.Name());
        }
    }

    private static void Offset(Transfer[][] batches, ulong idBase)
    {
        foreach (var batch in batches)
        {
            for (var i = 0; i < batch.Length; i++) batch[i].Id += idBase;
        }
    }
}

/// <summary>What one client run measured.</summary>
public sealed record RunFigures(string Mode, long Transfers, long Created, double Seconds, double TransfersPerSecond, double BatchLatencyMsP50, double BatchLatencyMsP99)
{
    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static RunFigures From(string mode, long transfers, long created, TimeSpan elapsed, long[] latencyTicks)
    {
        Array.Sort(latencyTicks);
        return new RunFigures(mode, transfers, created, elapsed.TotalSeconds, transfers / elapsed.TotalSeconds,
            Percentile(latencyTicks, 0.50), Percentile(latencyTicks, 0.99));
    }

    private static double Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0) return 0;
        var index = (int)Math.Clamp(Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index] * 1000.0 / Stopwatch.Frequency;
    }
}

/// <summary>Row 2: full batches on the binary bulk path through <see cref="LedgerClient"/>.</summary>
internal static class BulkRunner
{
    public static async Task<RunFigures> RunAsync(LedgerClient client, Transfer[][] batches, int concurrency, CancellationToken ct)
    {
        var latencies = new long[batches.Length];
        long created = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < batches.Length)
            {
                var started = Stopwatch.GetTimestamp();
                var results = await client.CreateTransfersAsync(batches[index], ct);
                latencies[index] = Stopwatch.GetTimestamp() - started;
                Interlocked.Add(ref created, results.Count(r => r == CreateTransferResult.Created));
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        return RunFigures.From("bulk", batches.Sum(b => (long)b.Length), created, clock.Elapsed, latencies);
    }
}

/// <summary>Row 3: the same batches as JSON on <c>POST /v1/ledger/transfers</c> (bodies encoded before the clock starts).</summary>
internal static class RestRunner
{
    public static async Task<RunFigures> RunAsync(Uri baseAddress, string secret, Transfer[][] batches, int concurrency, CancellationToken ct)
    {
        var bodies = batches.Select(Encode).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseCookies = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http, secret, ct));
        var latencies = new long[bodies.Length];
        long created = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Length)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[index]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(new Uri("v1/ledger/transfers", UriKind.Relative), content, ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"REST batch failed: {(int)response.StatusCode}");
                latencies[index] = Stopwatch.GetTimestamp() - started;
                Interlocked.Add(ref created, CountCreated(body));
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        return RunFigures.From("rest", batches.Sum(b => (long)b.Length), created, clock.Elapsed, latencies);
    }

    private static byte[] Encode(Transfer[] batch)
    {
        using var buffer = new MemoryStream(batch.Length * 200);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var t in batch)
            {
                w.WriteStartObject();
                w.WriteString("id", t.Id.ToString(CultureInfo.InvariantCulture));
                w.WriteString("debit_account_id", t.DebitAccountId.ToString(CultureInfo.InvariantCulture));
                w.WriteString("credit_account_id", t.CreditAccountId.ToString(CultureInfo.InvariantCulture));
                w.WriteString("amount", t.Amount.ToString(CultureInfo.InvariantCulture));
                w.WriteNumber("ledger", t.Ledger);
                w.WriteNumber("code", t.Code);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static long CountCreated(ReadOnlySpan<byte> body)
    {
        long count = 0;
        var needle = "\"created\""u8;
        int at;
        while ((at = body.IndexOf(needle)) >= 0)
        {
            count++;
            body = body[(at + needle.Length)..];
        }
        return count;
    }

    private static async Task<string> TokenAsync(HttpClient http, string secret, CancellationToken ct)
    {
        using var form = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", BenchServer.ClientId),
            new("client_secret", secret),
            new("scope", "ledger"),
        ]);
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form, ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("no access_token");
    }
}
