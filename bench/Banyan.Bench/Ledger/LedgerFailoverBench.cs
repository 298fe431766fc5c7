using System.ComponentModel;
using System.Diagnostics;
using Banyan.Ledger;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.Bench.Ledger;

/// <summary>Settings of <c>banyan bench ledger-failover</c>.</summary>
public sealed class LedgerFailoverBenchSettings : CommandSettings
{
    /// <summary>PostgreSQL server (else env <c>BANYAN_BENCH_POSTGRES</c>); a temporary database is created per round.</summary>
    [CommandOption("--postgres <CONNECTION>")]
    public string? Postgres { get; init; }

    /// <summary>Takeovers to measure.</summary>
    [CommandOption("--rounds <N>")]
    [DefaultValue(3)]
    public int Rounds { get; init; } = 3;

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Rounds is < 1 or > 20 ? ValidationResult.Error("--rounds must be 1..20") : ValidationResult.Success();
}

/// <summary>
/// <c>banyan bench ledger-failover</c>: two engines on one PostgreSQL journal with the default lease
/// (4 s, renewed every 1 s). Per round: the leader takes writes, then stops dead (no renewal, no
/// release — what SIGKILL or a partition looks like to the database), and the time until the standby
/// acknowledges its first write is measured; then a clean shutdown of the new leader (which releases
/// the lease) hands over to a third node. Prints figures; asserts nothing.
/// </summary>
public sealed class LedgerFailoverBenchCommand : AsyncCommand<LedgerFailoverBenchSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, LedgerFailoverBenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var server = string.IsNullOrWhiteSpace(settings.Postgres) ? Environment.GetEnvironmentVariable(LedgerBenchCommand.PostgresVariable) : settings.Postgres;
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine($"bench ledger-failover needs a PostgreSQL server: --postgres or {LedgerBenchCommand.PostgresVariable}");
            return 2;
        }
        var table = new Table().AddColumns("round", "dead leader → standby writes (s)", "clean handover (s)", "records caught up");
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var (dead, clean, records) = await RunRoundAsync(server, cancellationToken);
            table.AddRow(round.ToString(System.Globalization.CultureInfo.InvariantCulture), dead.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), clean.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), records.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        Console.Out.WriteLine("lease 4 s, renewal and takeover checks every 1 s, standby polls the journal every 100 ms (LedgerOptions defaults)");
        return 0;
    }

    private static async Task<(double Dead, double Clean, ulong Records)> RunRoundAsync(string server, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync(server, ct);
        var root = Path.Combine(Path.GetTempPath(), "banyan-bench-failover-" + Guid.NewGuid().ToString("N"));
        var dead = false;
        try
        {
            var leader = LedgerEngine.Open(Node(root, "a", database.ConnectionString, () => Volatile.Read(ref dead)));
            await using var standby = LedgerEngine.Open(Node(root, "b", database.ConnectionString, null));
            await LoadAsync(leader, ct);
            var records = leader.JournalHead.Sequence;
            Volatile.Write(ref dead, true);
            var deadSeconds = await TimeToFirstWriteAsync(standby, 1_000_000, ct);
            await leader.DisposeAsync(); // its release no longer matches the token: the new leader keeps the lease

            await using var third = LedgerEngine.Open(Node(root, "c", database.ConnectionString, null));
            // Timed from the start of the shutdown: it flushes, stops and then releases the lease.
            var clock = Stopwatch.StartNew();
            await standby.DisposeAsync();
            var cleanSeconds = clock.Elapsed.TotalSeconds + await TimeToFirstWriteAsync(third, 2_000_000, ct);
            return (deadSeconds, cleanSeconds, records);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static LedgerOptions Node(string root, string name, string connection, Func<bool>? paused) => new()
    {
        Directory = Path.Combine(root, name),
        Journal = LedgerJournalKind.Postgres,
        PostgresConnectionString = connection,
        NodeName = name,
        AccountCapacity = 1024,
        TransferCapacity = 1 << 20,
        SnapshotEveryRecords = 0,
        LeasePaused = paused,
    };

    private static async Task LoadAsync(LedgerEngine leader, CancellationToken ct)
    {
        var accounts = Enumerable.Range(1, 100).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1 }).ToArray();
        await leader.CreateAccountsAsync(accounts, ct);
        var random = new Random(7);
        for (var batch = 0; batch < 50; batch++)
        {
            var transfers = new Transfer[1000];
            for (var i = 0; i < transfers.Length; i++)
                transfers[i] = new Transfer { Id = (UInt128)(batch * 1000 + i + 1), DebitAccountId = (UInt128)random.Next(1, 51), CreditAccountId = (UInt128)random.Next(51, 101), Amount = 1, Ledger = 1, Code = 1 };
            await leader.CreateTransfersAsync(transfers, ct);
        }
    }

    /// <summary>Seconds from now until <paramref name="node"/> acknowledges a write (it refuses while it is a standby).</summary>
    private static async Task<double> TimeToFirstWriteAsync(LedgerEngine node, ulong id, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var probe = new[] { new Transfer { Id = id, DebitAccountId = 1, CreditAccountId = 51, Amount = 1, Ledger = 1, Code = 1 } };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await node.CreateTransfersAsync(probe, ct);
                return clock.Elapsed.TotalSeconds;
            }
            catch (LedgerNotLeaderException)
            {
                await Task.Delay(5, ct);
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("no takeover within a minute");
        }
    }
}
