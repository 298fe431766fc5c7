using Npgsql;

namespace Banyan.Testing;

/// <summary>A uniquely named database on the test server, dropped (with FORCE) on dispose.</summary>
public sealed class TemporaryPostgresDatabase : IAsyncDisposable
{
    private readonly string _server;

    private TemporaryPostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Connection string to the new database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates the database on the server from <see cref="ExternalComponents.Postgres"/> (skips or fails when there is none).</summary>
    public static async Task<TemporaryPostgresDatabase> CreateAsync(string prefix)
    {
        var server = ExternalComponents.Postgres();
        var database = new TemporaryPostgresDatabase(server, prefix + "_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(server, $"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
