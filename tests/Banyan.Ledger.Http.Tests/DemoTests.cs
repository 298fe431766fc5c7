using System.Globalization;
using Banyan.Platform;
using Spectre.Console;

namespace Banyan.Ledger.Http.Tests;

[Collection(LedgerHostCollection.Name)]
public sealed class DemoTests(LedgerHostFixture host)
{
    [Fact]
    public async Task Demo_seed_creates_the_chart_once_with_a_pending_hold()
    {
        var module = new LedgerModule();
        await module.SeedDemoAsync(host.Services, CancellationToken.None);
        await module.SeedDemoAsync(host.Services, CancellationToken.None);

        var (status, customer, _) = await host.Api.GetJsonAsync("v1/ledger/accounts/2001");
        Assert.Equal(200, status);
        // Deposit 8,000.00, tea 38.00, hold 250.00 — applied once despite two seed calls.
        Assert.Equal("800000", customer.GetProperty("credits_posted").GetString());
        Assert.Equal("3800", customer.GetProperty("debits_posted").GetString());
        Assert.Equal("25000", customer.GetProperty("debits_pending").GetString());
    }

    [Fact]
    public async Task Demo_walkthrough_runs_over_http_and_shows_the_rejection_and_balances()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 160;

        await new LedgerModule().RunDemoAsync(new DemoContext(host.Api, console, host.Services), CancellationToken.None);

        var text = output.ToString();
        Assert.Contains("exceeds_credits", text, StringComparison.Ordinal);
        Assert.DoesNotContain("linked_event_failed", text, StringComparison.Ordinal);
        // Customer: 1,000.00 in, 120.00 + 30.00 out, hold fully resolved.
        Assert.Matches(@"customer\W+0\.00\W+150\.00\W+0\.00\W+1000\.00", text);
    }
}
