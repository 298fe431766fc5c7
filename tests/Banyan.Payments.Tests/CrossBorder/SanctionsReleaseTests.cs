using System.Text;
using Banyan.Payments.Contracts;

namespace Banyan.Payments.Tests.CrossBorder;

/// <summary>The compliance hook with the real AML module: a sanctioned creditor is refused before any money moves.</summary>
public sealed class SanctionsReleaseTests
{
    [Fact]
    public async Task A_payment_to_a_listed_creditor_is_refused_before_release_and_moves_nothing()
    {
        await using var host = await XbHost.StartAsync();
        using var aml = await host.ClientWithScopeAsync("aml");
        using var csv = new StringContent("name,aliases,country,list\nViktor Petrovich Sokolov,,RU,demo-list\n", Encoding.UTF8, "text/csv");
        using var uploaded = await aml.PostAsync(new Uri("v1/aml/sanctions", UriKind.Relative), csv);
        Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());

        var payer = await CrossBorderApiTests.FundedAsync(host, "grace", "CNY", 100_000_00);
        var body = CrossBorderApiTests.QuoteBody(payer, "DE", sendAmount: 1_000_00);
        var listed = With(body, "SOKOLOV, Viktor Petrovich");
        var (_, refusedQuote) = await host.Api.PostJsonAsync("v1/payments/cross-border/quotes", listed);
        var (_, refused) = await host.Api.PostJsonAsync($"v1/payments/cross-border/quotes/{refusedQuote.GetProperty("id").GetString()}/accept", new { });
        Assert.Equal("rejected", refused.GetProperty("status").GetString());
        Assert.Equal(100_000_00, (await host.Get<ICustomerAccounts>().FindAsync(payer, default))!.Posted);

        var (_, cleanQuote) = await host.Api.PostJsonAsync("v1/payments/cross-border/quotes", body);
        var (_, released) = await host.Api.PostJsonAsync($"v1/payments/cross-border/quotes/{cleanQuote.GetProperty("id").GetString()}/accept", new { });
        Assert.Equal("sent", released.GetProperty("status").GetString());
        var (_, tracked) = await host.Api.GetJsonAsync($"v1/payments/cross-border/{released.GetProperty("uetr").GetString()}");
        Assert.Contains(tracked.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("detail").GetString() == "screening: clear (debtor and creditor)");
        var (_, rejectedView) = await host.Api.GetJsonAsync($"v1/payments/cross-border/{refused.GetProperty("uetr").GetString()}");
        Assert.Contains(rejectedView.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("detail").GetString()!.Contains("matches 'Viktor Petrovich Sokolov'", StringComparison.Ordinal));
    }

    private static Dictionary<string, object?> With(object body, string creditorName)
    {
        var copy = body.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(body));
        copy["creditor"] = new { name = creditorName, account = "DE89370400440532013000", agent_bic = "DEUTDEFFXXX" };
        copy["end_to_end_id"] = "E2E-" + Guid.NewGuid().ToString("N")[..12];
        return copy;
    }
}
