using Banyan.Testing;
using System.Net;
using System.Text;
using Banyan.Server.Storage;
using Banyan.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Banyan.Server.Tests;

/// <summary>A fresh, uniquely named database on the server in BANYAN_TEST_POSTGRES, dropped afterwards.</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private string? _server;

    public string Name { get; } = "banyan_test_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = Environment.GetEnvironmentVariable(ExternalComponents.PostgresVariable);
        if (string.IsNullOrWhiteSpace(_server))
        {
            return; // Each test asks ExternalComponents.Postgres(), which skips or fails with the reason.
        }

        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
        await create.ExecuteNonQueryAsync();
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (string.IsNullOrWhiteSpace(_server))
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

public sealed class PostgresTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [SkippableFact]
    public async Task Host_on_postgres_creates_schema_issues_tokens_and_stores_idempotency_records_across_restarts()
    {
        ExternalComponents.Postgres();
        var directory = TestHost.NewDataDirectory();
        string[] args = ["--ConnectionStrings:Banyan=" + database.ConnectionString];
        try
        {
            await using (var host = await TestHost.StartAsync(args, directory))
            {
                await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
                Assert.True(db.Database.IsNpgsql());
                var tables = await db.Database.SqlQueryRaw<string>(
                    "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema()").ToListAsync();
                Assert.Contains("platform_idempotency", tables);
                Assert.Contains("platform_oauth_applications", tables);
                Assert.Contains("test_notes", tables);
                Assert.False(File.Exists(Path.Combine(directory, "banyan.db")));

                using var api = await host.AuthorizedClientAsync();
                using var first = await PostAsync(api, "pg-key");
                Assert.Equal(HttpStatusCode.Created, first.StatusCode);
                using var replay = await PostAsync(api, "pg-key");
                Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
                Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
                Assert.Equal(1, await db.IdempotencyRecords.CountAsync(r => r.Key == "pg-key" && r.Completed));
                Assert.Equal(1, await db.Set<TestNote>().CountAsync());
            }

            await using (var host = await TestHost.StartAsync(args, directory))
            {
                await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
                Assert.Equal(1, await db.SchemaHistory.CountAsync());

                // The record outlives the process: a retry after a restart is still answered from storage.
                using var api = await host.AuthorizedClientAsync();
                using var replay = await PostAsync(api, "pg-key");
                Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
                Assert.Equal(0, host.Module.Created);
            }
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test/echo") { Content = new StringContent("""{"text": "pg", "amount_minor": 7}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
