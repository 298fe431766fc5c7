using Npgsql;

namespace Banyan.Aml.Tests;

/// <summary>
/// The same case workflow on PostgreSQL (a fresh database on the server in BANYAN_TEST_POSTGRES, dropped
/// afterwards). Locally without the variable the test is skipped with the reason; under CI=true it fails.
/// </summary>
public sealed class CaseApiPostgresTests
{
    private const string Variable = "BANYAN_TEST_POSTGRES";

    [SkippableFact]
    public async Task A_case_is_worked_end_to_end_on_postgres_and_a_closed_case_refuses_a_comment()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            var reason = $"{Variable} is not set (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=banyan)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException("CI=true requires PostgreSQL: " + reason);
            Skip.If(true, "Skipped: " + reason);
        }

        var name = "banyan_aml_test_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(server!, $"CREATE DATABASE \"{name}\"");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
            var host = new AmlHostFixture { ExtraArgs = ["--ConnectionStrings:Banyan=" + connection] };
            await host.InitializeAsync();
            try
            {
                await CaseApiTests.WorkEndToEndAsync(host);
                var id = await CaseApiTests.ImportOneCaseAsync(host, host.NextCustomer());
                Assert.Equal(200, (await host.Api.PostJsonAsync($"v1/aml/cases/{id}/close", """{"disposition":"no_action","reason":"r"}""")).Status);
                Assert.Equal(409, (await host.Api.PostJsonAsync($"v1/aml/cases/{id}/comments", """{"text":"late"}""")).Status);
            }
            finally
            {
                await host.DisposeAsync();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server!, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
