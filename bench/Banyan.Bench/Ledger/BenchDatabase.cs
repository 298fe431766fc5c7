using Npgsql;

namespace Banyan.Bench.Ledger;

/// <summary>A uniquely named database on the bench's PostgreSQL server, dropped on dispose (a journal bench starts empty).</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string server, CancellationToken ct)
    {
        var database = new BenchDatabase(server, "banyan_bench_journal_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(server, $"CREATE DATABASE \"{database.Name}\"", ct).ConfigureAwait(false);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(string server, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
