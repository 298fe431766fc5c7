using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Banyan.Platform.Money;
using Banyan.Platform.Security;
using Banyan.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Server.Tests;

public sealed class TotpTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    public void Codes_match_the_rfc_6238_sha1_test_vectors(long unixSeconds, string expected) =>
        Assert.Equal(expected, Totp.Compute(RfcSecret, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds))));

    [Fact]
    public void A_code_is_accepted_one_step_either_side_but_not_two()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_010);
        var step = Totp.StepAt(now);
        Assert.Equal(step - 1, Totp.Verify(RfcSecret, Totp.Compute(RfcSecret, step - 1), now, 0));
        Assert.Equal(step + 1, Totp.Verify(RfcSecret, Totp.Compute(RfcSecret, step + 1), now, 0));
        Assert.Null(Totp.Verify(RfcSecret, Totp.Compute(RfcSecret, step - 2), now, 0));
        Assert.Null(Totp.Verify(RfcSecret, Totp.Compute(RfcSecret, step + 2), now, 0));
    }

    [Fact]
    public void A_code_already_accepted_is_never_accepted_again()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_010);
        var code = Totp.Compute(RfcSecret, Totp.StepAt(now));
        var accepted = Totp.Verify(RfcSecret, code, now, 0);
        Assert.NotNull(accepted);
        Assert.Null(Totp.Verify(RfcSecret, code, now, accepted.Value));
        Assert.Null(Totp.Verify(RfcSecret, code, now.AddSeconds(20), accepted.Value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    public void Malformed_codes_are_refused(string? code) =>
        Assert.Null(Totp.Verify(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(59), 0));

    [Fact]
    public void Provisioning_uri_carries_the_base32_secret() =>
        Assert.Contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&", Totp.ProvisioningUri("Banyan", "ada@example.com", RfcSecret), StringComparison.Ordinal);
}

public sealed class CurrencyTests
{
    [Fact]
    public void Twelve_currencies_each_with_its_iso_numeric_ledger_and_minor_units()
    {
        Assert.Equal(12, Currencies.All.Count);
        Assert.Equal(12, Currencies.All.Select(c => c.Ledger).Distinct().Count());
        Assert.Equal((byte)0, Currencies.Get("jpy").MinorUnits);
        Assert.Equal(156u, Currencies.Get("CNY").Ledger);
        Assert.True(Currencies.TryGetByLedger(978, out var eur));
        Assert.Equal("EUR", eur.Code);
        Assert.False(Currencies.TryGet("XXX", out _));
    }

    [Fact]
    public void Formatting_is_exact_for_any_minor_unit_amount()
    {
        Assert.Equal("CNY 1,234.05", Currencies.Get("CNY").Format(123_405));
        Assert.Equal("JPY 1,234", Currencies.Get("JPY").Format(1_234));
        Assert.Equal("USD -0.01", Currencies.Get("USD").Format(-1));
        Assert.Equal("USD -92,233,720,368,547,758.08", Currencies.Get("USD").Format(long.MinValue));
    }
}

public sealed class AuditLogTests
{
    [Fact]
    public async Task Appended_entries_are_listed_in_order_filtered_and_the_chain_verifies()
    {
        await using var host = await TestHost.StartAsync();
        var audit = host.App.Services.GetRequiredService<IAuditLog>();
        await audit.AppendAsync(new AuditEntry("authentication", "login_succeeded", "cust-1", null, "succeeded", new Dictionary<string, string> { ["source"] = "127.0.0.1" }), default);
        await audit.AppendAsync(new AuditEntry("consent", "consent_revoked", "cust-1", "consent-9", "succeeded"), default);
        await audit.AppendAsync(new AuditEntry("gateway", "call_blocked", "partner-2", null, "blocked"), default);
        using var client = await host.AuthorizedClientAsync("admin");

        var all = await client.GetFromJsonAsync<JsonElement>("/v1/audit?limit=2");
        var entries = all.GetProperty("entries");
        Assert.Equal(2, entries.GetArrayLength());
        Assert.Equal("login_succeeded", entries[0].GetProperty("action").GetString());
        Assert.Equal("127.0.0.1", entries[0].GetProperty("details").GetProperty("source").GetString());
        var next = all.GetProperty("next_after").GetInt64();
        var rest = await client.GetFromJsonAsync<JsonElement>($"/v1/audit?after={next}");
        Assert.Equal("call_blocked", rest.GetProperty("entries")[0].GetProperty("action").GetString());
        var consent = await client.GetFromJsonAsync<JsonElement>("/v1/audit?category=consent");
        Assert.Equal("consent-9", Assert.Single(consent.GetProperty("entries").EnumerateArray()).GetProperty("subject").GetString());

        var verify = await client.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
        Assert.True(verify.GetProperty("intact").GetBoolean());
        Assert.Equal(3, verify.GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task An_edited_entry_breaks_the_chain_at_that_entry()
    {
        await using var host = await TestHost.StartAsync();
        var audit = host.App.Services.GetRequiredService<IAuditLog>();
        await audit.AppendAsync(new AuditEntry("partner", "partner_approved", "admin", "p-1", "succeeded"), default);
        var second = await audit.AppendAsync(new AuditEntry("partner", "partner_suspended", "admin", "p-1", "succeeded"), default);
        await audit.AppendAsync(new AuditEntry("partner", "partner_resumed", "admin", "p-1", "succeeded"), default);

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "banyan.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE platform_audit_log SET \"Actor\" = 'someone-else' WHERE \"Id\" = $id";
            command.Parameters.AddWithValue("$id", second);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        using var client = await host.AuthorizedClientAsync("admin");
        var verify = await client.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
        Assert.False(verify.GetProperty("intact").GetBoolean());
        Assert.Equal(second, verify.GetProperty("first_broken_id").GetInt64());
    }

    [Fact]
    public async Task Audit_needs_the_admin_scope_and_bounds_the_page()
    {
        await using var host = await TestHost.StartAsync();
        using var test = await host.AuthorizedClientAsync("test");
        using var forbidden = await test.GetAsync("/v1/audit");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var admin = await host.AuthorizedClientAsync("admin");
        await Problems.AssertProblemAsync(await admin.GetAsync("/v1/audit?limit=100000"), HttpStatusCode.BadRequest, "bad-request");
    }
}
