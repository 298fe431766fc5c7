using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Console.Tests;

/// <summary>A real host on Kestrel (127.0.0.1, ephemeral port) with --demo data and a few AML alerts imported over the API.</summary>
internal sealed class ConsoleHost : IAsyncDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "banyan-console-" + Guid.NewGuid().ToString("N"));

    public WebApplication App { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<long> CaseIds { get; private set; } = [];

    /// <summary>A draft credit model version (a re-registration of the demo model) for the approval test.</summary>
    public string DraftModelVersion { get; private set; } = "";

    /// <summary>The case the real-time AML monitor opened for <see cref="NetworkCustomer"/> (structuring cash deposits).</summary>
    public long NetworkCaseId { get; private set; }

    public const string NetworkCustomer = "E2E-NET";

    /// <summary>A cross-border payment (CNY → EUR) the demo staff member initiated through the console's client.</summary>
    public Guid PaymentUetr { get; private set; }

    public static async Task<ConsoleHost> StartAsync()
    {
        var host = new ConsoleHost();
        host.App = BanyanServer.Build(["--demo", "--data", host._data, "--urls", "http://127.0.0.1:0"], [.. Modules.All(), new StepUpProbeModule()]);
        await host.App.StartAsync();
        var address = host.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Address = new Uri(address.TrimEnd('/') + "/");
        host.CaseIds = await host.ImportAlertsAsync();
        host.DraftModelVersion = await host.RegisterDraftModelAsync();
        host.NetworkCaseId = await host.CreateNetworkCaseAsync();
        host.PaymentUetr = await host.CreateCrossBorderPaymentAsync();
        return host;
    }

    private async Task<IReadOnlyList<long>> ImportAlertsAsync()
    {
        using var api = await App.CreateAuthorizedClientAsync();
        var lines = new StringBuilder()
            .AppendLine("""{"alert_id":"e2e-1","typology":"structuring","subject_account":"acc-101","reason":"nine cash deposits just under the threshold","score":0.91,"transaction_ids":["t1","t2"]}""")
            .AppendLine("""{"alert_id":"e2e-2","typology":"rapid_movement","subject_account":"acc-202","reason":"funds in and out within an hour","score":0.77,"transaction_ids":["t3"]}""")
            .AppendLine("""{"alert_id":"e2e-3","typology":"structuring","subject_account":"acc-303","reason":"split deposits across branches","score":0.66,"transaction_ids":["t4"]}""");
        using var content = new StringContent(lines.ToString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await api.PostAsync(new Uri("v1/aml/alerts/import", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("case_ids").EnumerateArray().Select(e => e.GetInt64())];
    }

    // Like the AML demo's live part: a monitored customer receives three cash deposits just under the reporting
    // threshold and five transfers from registered external counterparties; the monitor opens a case from the journal.
    private async Task<long> CreateNetworkCaseAsync()
    {
        using var api = await App.CreateAuthorizedClientAsync();
        const ulong tag = 0x434E5345; // "CNSE": console e2e
        static string Id(ulong n) => (((UInt128)tag << 96) | n).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (till, account) = (Id(1), Id(2));
        var senders = Enumerable.Range(0, 5).Select(i => Id(10 + (ulong)i)).ToList();
        await PostAsync(api, "v1/ledger/accounts", new[] { till, account }.Concat(senders).Select(id => new { id, ledger = 156, code = 1 }).ToArray());
        await PostAsync(api, "v1/aml/accounts", new { account_id = till, kind = "external", channel = "cash", country = "CN", name = "Branch 7 cash desk" });
        await PostAsync(api, "v1/aml/accounts", new { account_id = account, customer_id = NetworkCustomer, kind = "individual", country = "CN", name = "Li Na", declared_monthly_income_minor = 1_000_000 });
        for (var i = 0; i < senders.Count; i++)
            await PostAsync(api, "v1/aml/accounts", new { account_id = senders[i], kind = "external", country = i == 0 ? "IR" : "CN", name = $"Sender {i + 1}" });
        long[] deposits = [4_700_000, 4_850_000, 4_950_000];
        var transfers = deposits.Select((amount, i) => new { id = Id(100 + (ulong)i), debit_account_id = till, credit_account_id = account, amount = amount.ToString(System.Globalization.CultureInfo.InvariantCulture), ledger = 156, code = 1 })
            .Concat(senders.Select((sender, i) => new { id = Id(200 + (ulong)i), debit_account_id = sender, credit_account_id = account, amount = (500_000 + i * 150_000).ToString(System.Globalization.CultureInfo.InvariantCulture), ledger = 156, code = 1 }))
            .ToArray();
        await PostAsync(api, "v1/ledger/transfers", transfers);
        // The monitor follows the journal asynchronously: wait (bounded) until it has opened the customer's case.
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            var body = await (await api.GetAsync(new Uri("v1/aml/cases?status=open&limit=200", UriKind.Relative))).Content.ReadAsStringAsync();
            var mine = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray()
                .FirstOrDefault(c => c.GetProperty("party").GetString() == "customer:" + NetworkCustomer);
            if (mine.ValueKind == JsonValueKind.Object) return mine.GetProperty("id").GetInt64();
            Assert.True(DateTimeOffset.UtcNow < deadline, "the AML monitor opened no case for the e2e customer: " + body);
            await Task.Delay(100);
        }
    }

    // Payments belong to the OAuth caller that created them, and the console's calls carry the staff member as
    // the caller (console:<user>): so the payment is created through the console's own API client acting as
    // the demo staff member, over the real payments API, and that staff member may look it up.
    private async Task<Guid> CreateCrossBorderPaymentAsync()
    {
        var api = App.Services.GetRequiredService<Banyan.StaffConsole.Api.ConsoleApi>();
        var actor = Banyan.StaffConsole.Demo.DemoStaff.UserName;
        async Task<JsonElement> Post(string path, object body)
        {
            var result = await api.PostAsync<JsonElement>(path, body, actor, CancellationToken.None);
            Assert.True(result.Ok, $"POST {path}: {result.Problem}");
            return result.Value;
        }

        var account = await Post("/v1/payments/accounts", new { customer_id = "E2E-XB", currency = "CNY" });
        var accountId = account.GetProperty("account_id").GetString()!;
        await Post($"/v1/payments/accounts/{accountId}/deposits", new { deposit_id = "e2e-xb-fund", amount = 1_000_000_00L });
        var quote = await Post("/v1/payments/cross-border/quotes", new
        {
            debit_account_id = accountId,
            destination_country = "DE",
            send_amount = 10_000_00L,
            creditor = new { name = "Beneficiary GmbH", account = "DE89370400440532013000", agent_bic = "DEUTDEFFXXX" },
            remittance = "invoice 2026-118",
            end_to_end_id = "E2E-CONSOLE-1",
        });
        var payment = await Post($"/v1/payments/cross-border/quotes/{quote.GetProperty("id").GetString()}/accept", new { });
        return Guid.Parse(payment.GetProperty("uetr").GetString()!);
    }

    private static async Task PostAsync(HttpClient api, string path, object body)
    {
        using var response = await api.PostAsync(new Uri(path, UriKind.Relative),
            new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    // The operator's path: 'banyan credit registry add' on the server's registry directory, with the demo model's file.
    private async Task<string> RegisterDraftModelAsync()
    {
        var registry = Path.Combine(_data, "credit", "registry");
        var model = Directory.GetFiles(Path.Combine(registry, "models"), "*.json").Single();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Banyan.Cli.BanyanCli.RunAsync(["credit", "registry", "add", "--registry", registry, "--model", model, "--json"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("version").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open by SQLite is removed with the temp directory later.
        }
    }
}

/// <summary>The test classes that share one host (and so run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host";
}

/// <summary>One host for the collection: demo seeding (ledger, credit, lending) takes most of a minute.</summary>
public sealed class ConsoleHostFixture : IAsyncLifetime
{
    private Task<ConsoleHost>? _host;

    internal Task<ConsoleHost> HostAsync() => _host ??= ConsoleHost.StartAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await (await _host).DisposeAsync();
        }
    }
}
