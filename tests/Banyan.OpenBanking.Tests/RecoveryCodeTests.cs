using System.Net;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Tests;

public sealed class RecoveryCodeTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    [Fact]
    public async Task A_recovery_code_logs_in_once_and_is_refused_the_second_time()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var enrolled = f.Host.NewBrowser();
        using var lostPhone = f.Host.NewBrowser();
        using var again = f.Host.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForms.LoginAsync(enrolled, customer, customer.Code(DateTimeOffset.UtcNow))).Response.StatusCode);
        var codes = await LoginForms.NewRecoveryCodesAsync(enrolled);

        var first = await LoginForms.LoginAsync(lostPhone, customer, codes[0]);
        var second = await LoginForms.LoginAsync(again, customer, codes[0]);

        Assert.Equal(10, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(HttpStatusCode.Redirect, first.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.Response.StatusCode);
        Assert.Equal(9, await LoginForms.RemainingCodesAsync(lostPhone));
        var audit = await LoginForms.AuditAsync(f.Host, await LoginForms.CustomerIdAsync(f.Host, customer));
        var used = Assert.Single(audit, e => e.Action == "recovery_code_used");
        Assert.Equal("9", used.Details.GetProperty("remaining").GetString());
        Assert.Equal("recovery_code", audit.Last(e => e.Action == "login_succeeded").Details.GetProperty("second_factor").GetString());
    }

    [Fact]
    public async Task A_wrong_recovery_code_is_refused_and_spends_nothing()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var enrolled = f.Host.NewBrowser();
        using var other = f.Host.NewBrowser();
        await LoginForms.LoginAsync(enrolled, customer, customer.Code(DateTimeOffset.UtcNow));
        var codes = await LoginForms.NewRecoveryCodesAsync(enrolled);
        var wrong = codes[0][..^1] + (codes[0][^1] == 'B' ? 'C' : 'B');

        var refused = await LoginForms.LoginAsync(other, customer, wrong);
        var wrongPassword = await LoginForms.LoginAsync(other, customer, codes[1], password: customer.Password + "x");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.Response.StatusCode);
        Assert.Equal(10, await LoginForms.RemainingCodesAsync(enrolled));
        // The code was not spent by the attempt with the wrong password: it still works with the right one.
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForms.LoginAsync(other, customer, codes[1].ToLowerInvariant())).Response.StatusCode);
    }

    [Fact]
    public async Task Codes_are_stored_only_as_salted_hashes()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var browser = f.Host.NewBrowser();
        await LoginForms.LoginAsync(browser, customer, customer.Code(DateTimeOffset.UtcNow));
        var codes = await LoginForms.NewRecoveryCodesAsync(browser);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);

        await using var scope = f.Host.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<RecoveryCodeRow>().AsNoTracking().Where(r => r.CustomerId == customerId).ToListAsync();

        Assert.Equal(10, rows.Count);
        Assert.Equal(10, rows.Select(r => r.Hash).Distinct(StringComparer.Ordinal).Count());
        foreach (var code in codes)
        {
            Assert.DoesNotContain(rows, r => r.Hash.Contains(code, StringComparison.OrdinalIgnoreCase) || r.Hash.Contains(RecoveryCodeHasher.Canonical(code)!, StringComparison.OrdinalIgnoreCase));
        }

        var hasher = f.Host.Get<RecoveryCodeHasher>();
        var customerRow = new Customer { Id = customerId };
        Assert.All(codes, code => Assert.Single(rows, r => hasher.Matches(customerRow, r.Hash, code)));
    }

    [Fact]
    public async Task New_codes_replace_the_old_ones_and_need_a_TOTP_verified_session()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        using var enrolled = f.Host.NewBrowser();
        using var viaCode = f.Host.NewBrowser();
        using var later = f.Host.NewBrowser();
        await LoginForms.LoginAsync(enrolled, customer, customer.Code(DateTimeOffset.UtcNow));
        var old = await LoginForms.NewRecoveryCodesAsync(enrolled);
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForms.LoginAsync(viaCode, customer, old[0])).Response.StatusCode);

        var (_, page) = await viaCode.GetAsync("/open-banking/recovery-codes");
        var fresh = await LoginForms.NewRecoveryCodesAsync(enrolled);

        Assert.DoesNotContain("action=\"/open-banking/recovery-codes\"", page, StringComparison.Ordinal);
        Assert.Contains("log in with a code from your authenticator app", page, StringComparison.Ordinal);
        Assert.Empty(fresh.Intersect(old, StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginForms.LoginAsync(later, customer, old[1])).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForms.LoginAsync(later, customer, fresh[1])).Response.StatusCode);
    }

    [Fact]
    public async Task Enrolment_creates_the_TOTP_secret_and_ten_usable_recovery_codes()
    {
        var userName = "enrol-" + Guid.NewGuid().ToString("N")[..8];
        var (customer, secret, codes, error) = await f.Host.Get<Customers>().EnrolAsync(userName, "a-long-Passw0rd!", null, default);

        Assert.Null(error);
        Assert.NotNull(customer);
        Assert.Equal(20, secret.Length);
        Assert.Equal(10, codes.Count);
        var credentials = new Banyan.OpenBanking.Sandbox.SandboxCredentials(userName, "a-long-Passw0rd!", Banyan.Platform.Security.Totp.Base32(secret), "", codes);
        using var browser = f.Host.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForms.LoginAsync(browser, credentials, codes[9])).Response.StatusCode);
    }
}
