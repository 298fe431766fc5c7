using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Banyan.Platform;
using Spectre.Console;

namespace Banyan.Ledger.Http.Demo;

/// <summary>
/// The ledger's part of <c>banyan demo</c>: opens three fresh accounts over HTTP, moves money,
/// shows a rejected overdraft, a two-phase card payment, and the resulting balances.
/// </summary>
internal static class LedgerWalkthrough
{
    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        var console = demo.Console;
        var api = demo.Api;
        // Fresh ids per run, so the walk-through can be repeated against the same data directory.
        var bank = NewId();
        var customer = NewId();
        var merchant = NewId();
        console.MarkupLine("[bold]Ledger[/]: double-entry accounts in ledger 1 (CNY, amounts in fen)");

        await Step(console, api, "Open a bank, a customer (no overdraft) and a merchant account", "/v1/ledger/accounts", new object[]
        {
            new { id = bank, ledger = 1, code = 100 },
            new { id = customer, ledger = 1, code = 200, flags = new[] { "debits_must_not_exceed_credits" } },
            new { id = merchant, ledger = 1, code = 300 },
        }, cancellationToken);

        var deposit = NewId();
        var purchase = NewId();
        await Step(console, api, "Deposit 1,000.00 to the customer, then pay the merchant 120.00", "/v1/ledger/transfers", new object[]
        {
            new { id = deposit, debit_account_id = bank, credit_account_id = customer, amount = "100000", ledger = 1, code = 1 },
            new { id = purchase, debit_account_id = customer, credit_account_id = merchant, amount = "12000", ledger = 1, code = 2 },
        }, cancellationToken);

        await Step(console, api, "Try to spend 5,000.00: more than the customer holds", "/v1/ledger/transfers", new object[]
        {
            new { id = NewId(), debit_account_id = customer, credit_account_id = merchant, amount = "500000", ledger = 1, code = 2 },
        }, cancellationToken);

        var hold = NewId();
        await Step(console, api, "Card payment, phase one: hold 50.00", "/v1/ledger/transfers", new object[]
        {
            new { id = hold, debit_account_id = customer, credit_account_id = merchant, amount = "5000", ledger = 1, code = 3, flags = new[] { "pending" } },
        }, cancellationToken);
        await Step(console, api, "Phase two: post 30.00 of the hold (the other 20.00 is released)", "/v1/ledger/transfers", new object[]
        {
            new { id = NewId(), pending_id = hold, amount = "3000", flags = new[] { "post_pending_transfer" } },
        }, cancellationToken);

        await ShowBalances(console, api, [("bank", bank), ("customer", customer), ("merchant", merchant)], cancellationToken);
    }

    private static async Task Step(IAnsiConsole console, HttpClient api, string title, string path, object[] body, CancellationToken cancellationToken)
    {
        console.MarkupLine($"\n[blue]»[/] {Markup.Escape(title)}  [grey]POST {path}[/]");
        using var response = await api.PostAsJsonAsync(path, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            console.MarkupLine($"  [red]{(int)response.StatusCode}[/] {Markup.Escape(text)}");
            return;
        }
        using var results = JsonDocument.Parse(text);
        foreach (var result in results.RootElement.EnumerateArray())
        {
            var status = result.GetProperty("status").GetString() ?? "";
            var colour = status == "created" ? "green" : "yellow";
            console.MarkupLine($"  event {result.GetProperty("index").GetInt32()}: [{colour}]{Markup.Escape(status)}[/]");
        }
    }

    private static async Task ShowBalances(IAnsiConsole console, HttpClient api, (string Name, string Id)[] accounts, CancellationToken cancellationToken)
    {
        console.MarkupLine("\n[blue]»[/] Balances  [grey]GET /v1/ledger/accounts/{id}[/]");
        var table = new Table().AddColumns("account", "debits pending", "debits posted", "credits pending", "credits posted");
        foreach (var (name, id) in accounts)
        {
            using var account = JsonDocument.Parse(await api.GetStringAsync(new Uri("/v1/ledger/accounts/" + id, UriKind.Relative), cancellationToken));
            var a = account.RootElement;
            table.AddRow(name, Yuan(a, "debits_pending"), Yuan(a, "debits_posted"), Yuan(a, "credits_pending"), Yuan(a, "credits_posted"));
        }
        console.Write(table);
    }

    private static string Yuan(JsonElement account, string field)
    {
        var fen = UInt128.Parse(account.GetProperty(field).GetString() ?? "0", CultureInfo.InvariantCulture);
        return $"{fen / 100}.{(int)(fen % 100):00}";
    }

    private static string NewId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        // Keep ids clear of the seeded chart (small numbers) and of zero.
        var id = (BitConverter.ToUInt64(bytes) >> 1) | (1UL << 62);
        return id.ToString(CultureInfo.InvariantCulture);
    }
}
