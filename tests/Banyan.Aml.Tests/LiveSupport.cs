using System.Globalization;
using System.Text.Json;
using Banyan.Aml.Live;
using Banyan.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Tests;

/// <summary>Posting to the host's real ledger engine and waiting (on a condition, never a sleep) for the AML monitor.</summary>
internal static class LiveSupport
{
    public const uint Cny = 156;
    private static long _nextId = Random.Shared.NextInt64(1, 1L << 40) << 16;

    /// <summary>A ledger id no other test uses (the shared host keeps its ledger for the whole collection).</summary>
    public static UInt128 NewId() => (UInt128)Interlocked.Increment(ref _nextId);

    public static async Task CreateAccountsAsync(IServiceProvider services, params UInt128[] ids)
    {
        var engine = services.GetRequiredService<LedgerEngine>();
        var results = await engine.CreateAccountsAsync(ids.Select(id => new Account { Id = id, Ledger = Cny, Code = 1 }).ToArray());
        Assert.All(results, r => Assert.Equal(CreateAccountResult.Created, r));
    }

    /// <summary>Posts transfers (id, debit, credit, amount in minor units) one request each, then waits until the monitor processed them.</summary>
    public static async Task<List<UInt128>> TransferAsync(IServiceProvider services, IEnumerable<(UInt128 Debit, UInt128 Credit, long Amount)> moves, uint ledger = Cny)
    {
        var engine = services.GetRequiredService<LedgerEngine>();
        var ids = new List<UInt128>();
        foreach (var (debit, credit, amount) in moves)
        {
            var id = NewId();
            var results = await engine.CreateTransfersAsync(new[] { new Transfer { Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = (UInt128)amount, Ledger = ledger, Code = 1 } });
            Assert.Equal([CreateTransferResult.Created], results);
            ids.Add(id);
        }
        await CaughtUpAsync(services);
        return ids;
    }

    /// <summary>Waits until the monitor has processed every durable journal record (bounded: a broken monitor fails the test, it does not hang it).</summary>
    public static async Task CaughtUpAsync(IServiceProvider services)
    {
        var head = services.GetRequiredService<LedgerEngine>().JournalHead.Sequence;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await services.GetRequiredService<LiveMonitor>().WaitForSequenceAsync(head, timeout.Token);
    }

    public static async Task RegisterAsync(HttpClient api, UInt128 account, string? customer, string kind, string? name = null, string channel = "transfer", string? country = "CN", long? income = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["account_id"] = account.ToString(CultureInfo.InvariantCulture), ["customer_id"] = customer, ["kind"] = kind, ["channel"] = channel,
            ["country"] = country, ["name"] = name, ["declared_monthly_income_minor"] = income,
        };
        var (status, json) = await api.PostJsonAsync("v1/aml/accounts", JsonSerializer.Serialize(body));
        Assert.True(status is 200 or 201, $"register {account}: {status} {json}");
    }

    /// <summary>The open case of a customer with its alerts, or null.</summary>
    public static async Task<JsonElement?> CaseOfAsync(HttpClient api, string customer)
    {
        string? after = null;
        while (true)
        {
            var (_, page) = await api.GetJsonAsync("v1/aml/cases?limit=200" + (after is null ? "" : "&after=" + after));
            foreach (var item in page.GetProperty("items").EnumerateArray())
                if (item.GetProperty("party").GetString() == "customer:" + customer && item.GetProperty("status").GetString() != "closed")
                    return (await api.GetJsonAsync("v1/aml/cases/" + item.GetProperty("id").GetInt64())).Body;
            if (page.GetProperty("next_after").ValueKind == JsonValueKind.Null) return null;
            after = page.GetProperty("next_after").GetInt64().ToString(CultureInfo.InvariantCulture);
        }
    }

    public static List<JsonElement> Alerts(JsonElement? detail, string typology) =>
        detail is { } d ? d.GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("typology").GetString() == typology).ToList() : [];
}
