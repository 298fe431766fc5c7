using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Lending.Contracts;
using Banyan.Ledger;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Lending.Tests;

/// <summary>
/// The module's endpoints in a minimal host with a real ledger (the full host's token checks are
/// the platform's tests; here the <c>lending</c> policy admits every caller).
/// </summary>
public sealed class ApiTests(Xunit.Abstractions.ITestOutputHelper log) : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-lending-api-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.ConfigureHttpJsonOptions(o => BanyanJson.Apply(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthorization(o => o.AddPolicy(ScopePolicy.For("lending"), p => p.RequireAssertion(_ => true)));
        builder.Services.AddSingleton(_ => LedgerEngine.Open(new LedgerOptions { Directory = Path.Combine(_root, "ledger"), Fsync = false, AccountCapacity = 1 << 12, TransferCapacity = 1 << 14 }));
        // This host has no credit module; approvals are the subject of CreditApprovalTests.
        builder.Configuration["Banyan:Lending:RequireCreditDecision"] = "false";
        var module = new LendingModule();
        module.ConfigureServices(builder.Services, new ModuleContext(builder.Configuration, _root, StorageProvider.Sqlite, builder.Environment));
        _app = builder.Build();
        module.MapEndpoints(_app.MapGroup("/v1"));
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_module_is_named_lending_with_scope_lending()
    {
        var module = new LendingModule();
        Assert.Equal("lending", module.Name);
        Assert.Equal(["lending"], module.Scopes);
    }

    [Fact]
    public void Only_the_module_and_contracts_are_public()
    {
        var exported = typeof(LendingModule).Assembly.GetExportedTypes();
        Assert.All(exported, t => Assert.True(t == typeof(LendingModule) || t.Namespace == "Banyan.Lending.Contracts", t.FullName));
    }

    [Fact]
    public async Task A_loan_is_booked_from_an_approved_application_and_repaid_over_http()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync("/v1/lending/customers", new { reference = "sme-1" })).StatusCode);
        var created = await _client.PostAsJsonAsync("/v1/lending/loans", new { application_id = "app-1", customer_reference = "sme-1", product_code = "sme-working-capital", principal = 1_000_000, instalments = 6, start_date = "2026-01-15" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var loan = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1_000_000, loan.GetProperty("principal_outstanding").GetInt64());
        Assert.Equal("normal", loan.GetProperty("category").GetString());
        var schedule = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/loans/1/schedule");
        Assert.Equal(6, schedule.GetArrayLength());
        Assert.Equal(1_000_000, schedule.EnumerateArray().Sum(r => r.GetProperty("principal").GetInt64()));
        var first = schedule[0];
        var repaid = await _client.PostAsJsonAsync("/v1/lending/loans/1/repayments", new { amount = first.GetProperty("total").GetInt64(), date = first.GetProperty("due_date").GetString() });
        Assert.Equal(HttpStatusCode.OK, repaid.StatusCode);
        var quote = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/loans/1/settlement-quote?date=2026-03-01");
        Assert.Equal(1_000_000 - first.GetProperty("principal").GetInt64(), quote.GetProperty("principal").GetInt64());
        var statement = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/loans/1/statement?from=2026-01-15&to=2026-12-31");
        Assert.Equal(1_000_000 - first.GetProperty("principal").GetInt64(), statement.GetProperty("closing_principal").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/v1/lending/loans/1/statement?from=2026-01-15")).StatusCode);
        var portfolio = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/portfolio");
        Assert.Equal(1, portfolio.GetProperty("loan_count").GetInt32());
    }

    [Fact]
    public async Task Refusals_are_problem_documents_and_change_nothing()
    {
        await _client.PostAsJsonAsync("/v1/lending/customers", new { reference = "c" });
        var unknown = await _client.PostAsJsonAsync("/v1/lending/loans", new { application_id = "x", customer_reference = "nobody", product_code = "sme-working-capital", principal = 1_000, instalments = 6, start_date = "2026-01-15" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        var tooLong = await _client.PostAsJsonAsync("/v1/lending/loans", new { application_id = "x", customer_reference = "c", product_code = "sme-working-capital", principal = 1_000, instalments = 99, start_date = "2026-01-15" });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/v1/lending/loans/1")).StatusCode);
        await _client.PostAsJsonAsync("/v1/lending/loans", new { application_id = "ok", customer_reference = "c", product_code = "sme-working-capital", principal = 1_000_000, instalments = 6, start_date = "2026-01-15" });
        await _client.PostAsJsonAsync("/v1/lending/customers/c/deposits", new { amount = 0 });
        var broke = await _client.PostAsJsonAsync("/v1/lending/loans/1/settlement", new { amount = 1, date = "2026-02-01" });
        Assert.Equal(HttpStatusCode.BadRequest, broke.StatusCode);
        var problem = await broke.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("settlement amount", problem.GetProperty("detail").GetString());
        var loan = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/loans/1");
        Assert.Equal("active", loan.GetProperty("status").GetString());
        Assert.Equal(1_000_000, loan.GetProperty("principal_outstanding").GetInt64());
        var products = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/products");
        var badProduct = await _client.PostAsJsonAsync("/v1/lending/products", new { code = "bad", name = "bad", amortization = "equal_instalment", frequency = "monthly", day_count = "act360", annual_rate = 2.0, penalty_rate = 0, min_instalments = 1, max_instalments = 12, grace_instalments = 0, max_principal = 1000, prepayment_fee_rate = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, badProduct.StatusCode);
        Assert.Equal(products.GetArrayLength(), (await _client.GetFromJsonAsync<JsonElement>("/v1/lending/products")).GetArrayLength());
    }

    [Fact]
    public async Task The_portfolio_facade_is_registered_for_other_modules()
    {
        var portfolio = _app.Services.GetRequiredService<ILoanPortfolio>();
        Assert.Equal(0, portfolio.Figures().GrossLoans);
        var close = await _client.PostAsJsonAsync("/v1/lending/close", new { date = "2026-01-20" });
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsJsonAsync("/v1/lending/close", new { date = "2026-01-19" })).StatusCode);
    }

    [Fact]
    public async Task The_demo_seeds_a_portfolio_and_walks_through_it_over_http()
    {
        var module = new LendingModule();
        await module.SeedDemoAsync(_app.Services, default);
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output), Ansi = Spectre.Console.AnsiSupport.No });
        await module.RunDemoAsync(new DemoContext(_client, console, _app.Services), default);
        var text = output.ToString();
        log.WriteLine(text);
        Assert.Contains("Portfolio: 2,", text);
        Assert.Contains("days past due", text);
        Assert.Contains("is refused: 400", text);
        Assert.Contains("first instalment paid", text);
    }

    [Fact]
    public async Task Prepayment_and_rescheduling_over_http_with_refusals_as_problem_documents()
    {
        await _client.PostAsJsonAsync("/v1/lending/customers", new { reference = "p" });
        await _client.PostAsJsonAsync("/v1/lending/customers/p/deposits", new { amount = 100_000 });
        await _client.PostAsJsonAsync("/v1/lending/loans", new { application_id = "a", customer_reference = "p", product_code = "sme-working-capital", principal = 1_000_000, instalments = 6, start_date = "2026-01-15" });
        var badMode = await _client.PostAsJsonAsync("/v1/lending/loans/1/prepayments", new { amount = 100_000, date = "2026-02-01", mode = "sideways" });
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        var whole = await _client.PostAsJsonAsync("/v1/lending/loans/1/prepayments", new { amount = 1_000_000, date = "2026-02-01" });
        Assert.Equal(HttpStatusCode.BadRequest, whole.StatusCode);
        Assert.Equal("application/problem+json", whole.Content.Headers.ContentType?.MediaType);
        var prepaid = await _client.PostAsJsonAsync("/v1/lending/loans/1/prepayments", new { amount = 400_000, date = "2026-02-01", mode = "keep_instalment" });
        Assert.Equal(HttpStatusCode.OK, prepaid.StatusCode);
        var body = await prepaid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400_000, body.GetProperty("principal").GetInt64());
        Assert.True(body.GetProperty("instalments_left").GetInt32() < 6);
        var loan = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/loans/1");
        Assert.Equal(600_000, loan.GetProperty("principal_outstanding").GetInt64());
        var stale = await _client.PostAsJsonAsync("/v1/lending/loans/1/reschedule", new { date = "2026-03-01", extra_instalments = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        var rescheduled = await _client.PostAsJsonAsync("/v1/lending/loans/1/reschedule", new { date = "2026-01-15", extra_instalments = 3, annual_rate = 0.05 });
        Assert.Equal(HttpStatusCode.OK, rescheduled.StatusCode);
        Assert.Equal(0.05m, (await rescheduled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("annual_rate").GetDecimal());
    }

    [Fact]
    public async Task A_drawdown_over_the_limit_is_a_422_problem_and_changes_nothing()
    {
        await _client.PostAsJsonAsync("/v1/lending/customers", new { reference = "l" });
        var opened = await _client.PostAsJsonAsync("/v1/lending/lines", new { customer_reference = "l", limit = 100_000, annual_rate = 0.05, opened = "2026-01-01", day_count = "act360" });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync("/v1/lending/lines/1/drawdowns", new { amount = 60_000, date = "2026-01-02" })).StatusCode);
        var over = await _client.PostAsJsonAsync("/v1/lending/lines/1/drawdowns", new { amount = 40_001, date = "2026-01-03" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, over.StatusCode);
        Assert.Equal("over_limit", (await over.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        var line = await _client.GetFromJsonAsync<JsonElement>("/v1/lending/lines/1");
        Assert.Equal(40_000, line.GetProperty("available").GetInt64());
        Assert.Equal("2026-01-02", line.GetProperty("last_event").GetString());
    }
}
