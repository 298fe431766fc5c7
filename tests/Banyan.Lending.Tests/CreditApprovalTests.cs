using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Credit.Contracts;
using Banyan.Ledger;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Lending.Tests;

/// <summary>
/// Loans are booked only from approved credit decisions within their limit. The decisions come from a
/// fixed in-test table standing in for the credit module's store (the full host's demo test covers the
/// real credit module end to end).
/// </summary>
public sealed class CreditApprovalTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-lending-approval-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, CreditDecisionSummary> _decisions = new()
    {
        ["approved"] = new("approved", "approve", 500_000, 650, "v1", DateTimeOffset.UnixEpoch),
        ["declined"] = new("declined", "decline", null, null, "v1", DateTimeOffset.UnixEpoch),
        ["referred"] = new("referred", "refer", 500_000, 900, "v1", DateTimeOffset.UnixEpoch),
    };
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
        builder.Services.AddSingleton<ICreditDecisions>(new TableDecisions(_decisions));
        var module = new LendingModule();
        module.ConfigureServices(builder.Services, new ModuleContext(builder.Configuration, _root, StorageProvider.Sqlite, builder.Environment));
        _app = builder.Build();
        module.MapEndpoints(_app.MapGroup("/v1"));
        await _app.StartAsync();
        _client = _app.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync("/v1/lending/customers", new { reference = "sme-1" })).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("unknown", 100_000, "application_not_found")]
    [InlineData("declined", 100_000, "application_not_approved")]
    [InlineData("referred", 100_000, "application_not_approved")]
    [InlineData("approved", 500_001, "exceeds_approved_limit")]
    public async Task A_loan_without_an_approved_decision_within_its_limit_is_refused_and_nothing_is_booked(string application, long principal, string reason)
    {
        using var response = await BookAsync(application, principal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/v1/lending/loans/1")).StatusCode);
    }

    [Fact]
    public async Task An_approved_application_is_booked_once_at_most_its_limit()
    {
        using var booked = await BookAsync("approved", 500_000);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        using var again = await BookAsync("approved", 100_000);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already booked as loan 1", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/v1/lending/loans/2")).StatusCode);
    }

    private Task<HttpResponseMessage> BookAsync(string application, long principal) =>
        _client.PostAsJsonAsync("/v1/lending/loans", new { application_id = application, customer_reference = "sme-1", product_code = "sme-working-capital", principal, instalments = 6, start_date = "2026-01-15" });

    private sealed class TableDecisions(Dictionary<string, CreditDecisionSummary> table) : ICreditDecisions
    {
        public CreditDecisionSummary? Find(string applicationId) => table.GetValueOrDefault(applicationId);
    }
}

public sealed class ApplicationReplayTests
{
    [Fact]
    public async Task The_one_loan_per_application_rule_survives_a_restart()
    {
        var root = Path.Combine(Path.GetTempPath(), "banyan-lending-app-replay-" + Guid.NewGuid().ToString("N"));
        var ledgerDir = Path.Combine(root, "ledger");
        var bookDir = Path.Combine(root, "lending");
        Directory.CreateDirectory(ledgerDir);
        try
        {
            await using var ledger = LedgerEngine.Open(new LedgerOptions { Directory = ledgerDir, Fsync = false, AccountCapacity = 1 << 12, TransferCapacity = 1 << 14 });
            var start = new DateOnly(2026, 1, 10);
            await using (var book = await Book.LoanBook.OpenAsync(ledger, 156, bookDir, Close.ClassificationRules.Default, TimeProvider.System, default))
            {
                Assert.True((await book.OpenCustomerAsync("a", default)).Ok);
                Assert.True((await book.DisburseAsync(new Book.LoanApplication("a", "sme-working-capital", 1_000_000, 6, start, "app-7"), default)).Ok);
            }

            await using (var reopened = await Book.LoanBook.OpenAsync(ledger, 156, bookDir, Close.ClassificationRules.Default, TimeProvider.System, default))
            {
                var again = await reopened.DisburseAsync(new Book.LoanApplication("a", "sme-working-capital", 1_000, 6, start, "app-7"), default);
                Assert.Equal(Book.Refusal.WrongState, again.Refusal);
                Assert.True((await reopened.DisburseAsync(new Book.LoanApplication("a", "sme-working-capital", 1_000, 6, start, "app-8"), default)).Ok);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
