using Banyan.Testing;

namespace Banyan.Aml.Tests;

/// <summary>
/// The same case workflow on PostgreSQL (a fresh database on the server in BANYAN_TEST_POSTGRES, dropped
/// afterwards). Locally without the variable the test is skipped with the reason; under CI=true it fails.
/// </summary>
public sealed class CaseApiPostgresTests
{
    [SkippableFact]
    public async Task A_case_is_worked_end_to_end_on_postgres_and_a_closed_case_refuses_a_comment()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_aml_test");
        var host = new AmlHostFixture { ExtraArgs = ["--ConnectionStrings:Banyan=" + database.ConnectionString] };
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

    [SkippableFact]
    public async Task Live_alerts_flows_and_the_network_view_work_on_postgres()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_aml_live_test");
        var host = new AmlHostFixture { ExtraArgs = ["--ConnectionStrings:Banyan=" + database.ConnectionString] };
        await host.InitializeAsync();
        try
        {
            var (till, account, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), host.NextCustomer());
            await LiveSupport.CreateAccountsAsync(host.Services, till, account);
            await LiveSupport.RegisterAsync(host.Api, till, null, "external", channel: "cash");
            await LiveSupport.RegisterAsync(host.Api, account, customer, "individual");
            await LiveSupport.TransferAsync(host.Services, [(till, account, 4_500_000), (till, account, 4_700_000), (till, account, 4_900_000)]);

            Assert.Single(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(host.Api, customer), "STRUCTURING"));
            var (status, network) = await host.Api.GetJsonAsync($"v1/aml/network/{customer}");
            Assert.Equal(200, status);
            Assert.Equal(14_100_000, Assert.Single(network.GetProperty("edges").EnumerateArray()).GetProperty("amount_minor").GetInt64());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
