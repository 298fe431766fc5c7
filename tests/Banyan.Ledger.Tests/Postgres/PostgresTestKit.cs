using Banyan.Ledger.Tests.Engine;
using Banyan.Testing;
using Npgsql;

namespace Banyan.Ledger.Tests.Postgres;

/// <summary>A temporary database plus per-node data directories, removed on dispose.</summary>
internal sealed class PostgresLedgerScope : IAsyncDisposable
{
    private readonly List<string> _directories = [];

    private PostgresLedgerScope(TemporaryPostgresDatabase database) => Database = database;

    public TemporaryPostgresDatabase Database { get; }

    public string ConnectionString => Database.ConnectionString;

    public static async Task<PostgresLedgerScope> CreateAsync() =>
        new(await TemporaryPostgresDatabase.CreateAsync("banyan_ledger_journal"));

    public string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "banyan-ledger-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        _directories.Add(path);
        return path;
    }

    /// <summary>
    /// Options for one node: a short lease so takeover tests finish in seconds, but not so short that a leader
    /// on a loaded CI machine misses its own renewals and fences itself mid-test (1.2 s did, once).
    /// </summary>
    public LedgerOptions Options(string directory, string node, Func<bool>? paused = null) => EngineTestKit.Options(directory) with
    {
        Journal = LedgerJournalKind.Postgres,
        PostgresConnectionString = ConnectionString,
        NodeName = node,
        AdvertisedAddress = $"http://{node}.test",
        LeaseDuration = TimeSpan.FromMilliseconds(3000),
        LeaseRenewInterval = TimeSpan.FromMilliseconds(250),
        FollowInterval = TimeSpan.FromMilliseconds(20),
        LeasePaused = paused,
    };

    public async Task<long> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        foreach (var directory in _directories)
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}

internal static class DeterministicWorkload
{
    /// <summary>Accounts, plain, pending (no timeout: no pulses, so two runs journal identical records), posts and voids.</summary>
    public static async Task RunAsync(LedgerEngine engine, ManualClock clock, int batches)
    {
        var accounts = Enumerable.Range(1, 20).Select(i => EngineTestKit.NewAccount((UInt128)i, i % 5 == 0 ? AccountFlags.DebitsMustNotExceedCredits : AccountFlags.None)).ToArray();
        await engine.CreateAccountsAsync(accounts);
        var random = new Random(42);
        UInt128 next = 1000;
        for (var b = 0; b < batches; b++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(3));
            var batch = new Transfer[random.Next(1, 200)];
            for (var i = 0; i < batch.Length; i++)
            {
                var t = EngineTestKit.NewTransfer(next++, (UInt128)random.Next(1, 21), (UInt128)random.Next(1, 21), (UInt128)random.Next(1, 500));
                var roll = random.Next(10);
                if (roll == 0) t.Flags = TransferFlags.Pending;
                else if (roll == 1 && next > 1010) t = new Transfer { Id = t.Id, PendingId = next - 10, Flags = random.Next(2) == 0 ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer };
                batch[i] = t;
            }
            await engine.CreateTransfersAsync(batch);
        }
    }
}
