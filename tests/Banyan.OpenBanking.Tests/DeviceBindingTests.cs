using System.Net;
using Banyan.OpenBanking.Identity;

namespace Banyan.OpenBanking.Tests;

public sealed class DeviceBindingTests(OpenBankingFixture f) : IClassFixture<OpenBankingFixture>
{
    [Fact]
    public async Task An_unknown_device_needs_a_second_factor_and_is_bound_after_success()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);
        var devices = f.Host.Get<CustomerDevices>();
        using var browser = f.Host.NewBrowser();

        var withoutCode = await LoginForms.LoginAsync(browser, customer, "");
        var boundBefore = await devices.ListAsync(customerId, default);
        var withCode = await LoginForms.LoginAsync(browser, customer, customer.Code(DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.Response.StatusCode);
        Assert.Empty(boundBefore);
        Assert.Equal(HttpStatusCode.Redirect, withCode.Response.StatusCode);
        var cookie = Assert.Single(withCode.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(CustomerDevices.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var bound = Assert.Single(await devices.ListAsync(customerId, default));
        Assert.Equal([bound.Id], await LoginForms.DevicesAsync(browser));
        Assert.Contains("(this browser)", (await browser.GetAsync("/open-banking/devices")).Html, StringComparison.Ordinal);
        Assert.Contains(await LoginForms.AuditAsync(f.Host, customerId), e => e.Action == "device_bound");
    }

    [Fact]
    public async Task A_bound_device_is_recognised_on_the_next_login_and_still_needs_a_code()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);
        using var browser = f.Host.NewBrowser();
        await LoginForms.LoginAsync(browser, customer, customer.Code(DateTimeOffset.UtcNow));
        var codes = await LoginForms.NewRecoveryCodesAsync(browser);

        var noCode = await LoginForms.LoginAsync(browser, customer, "");
        var again = await LoginForms.LoginAsync(browser, customer, codes[0]);

        Assert.Equal(HttpStatusCode.Unauthorized, noCode.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, again.Response.StatusCode);
        var logins = (await LoginForms.AuditAsync(f.Host, customerId)).Where(e => e.Action == "login_succeeded").Select(e => e.Details.GetProperty("device").GetString()).ToList();
        Assert.Equal(["new_bound", "known"], logins);
        Assert.Single(await LoginForms.DevicesAsync(browser));
    }

    [Fact]
    public async Task A_customer_can_remove_a_bound_device_and_nobody_else_can()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var stranger = await f.CustomerAsync(f.PartnerA);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);
        using var browser = f.Host.NewBrowser();
        using var strangerBrowser = f.Host.NewBrowser();
        await LoginForms.LoginAsync(browser, customer, customer.Code(DateTimeOffset.UtcNow));
        await LoginForms.LoginAsync(strangerBrowser, stranger, stranger.Code(DateTimeOffset.UtcNow));
        var deviceId = Assert.Single(await LoginForms.DevicesAsync(browser));

        var foreign = await f.Host.Get<CustomerDevices>().RemoveAsync(await LoginForms.CustomerIdAsync(f.Host, stranger), deviceId, default);
        var (strangerPage, strangerHtml) = await strangerBrowser.GetAsync("/open-banking/devices");
        var strangerForm = LoginForms.FormOf(strangerHtml, $"/open-banking/devices/{Assert.Single(await LoginForms.DevicesAsync(strangerBrowser))}/remove");
        var (crossed, _) = await strangerBrowser.PostAsync($"/open-banking/devices/{deviceId}/remove", strangerForm);
        Assert.False(foreign);
        Assert.Equal(HttpStatusCode.OK, strangerPage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
        Assert.Equal([deviceId], await LoginForms.DevicesAsync(browser));

        var (_, page) = await browser.GetAsync("/open-banking/devices");
        var (removed, _) = await browser.PostAsync($"/open-banking/devices/{deviceId}/remove", LoginForms.FormOf(page, $"/open-banking/devices/{deviceId}/remove"));

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Empty(await LoginForms.DevicesAsync(browser));
        var audit = await LoginForms.AuditAsync(f.Host, customerId);
        Assert.Single(audit, e => e.Action == "device_removed");
    }

    [Fact]
    public async Task The_number_of_bound_devices_is_limited()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);
        var limit = f.Host.Get<CustomerDevices>().Limit;
        var browsers = Enumerable.Range(0, limit + 1).Select(_ => f.Host.NewBrowser()).ToList();
        try
        {
            await LoginForms.LoginAsync(browsers[0], customer, customer.Code(DateTimeOffset.UtcNow));
            var codes = await LoginForms.NewRecoveryCodesAsync(browsers[0]);
            var statuses = new List<HttpStatusCode>();
            for (var i = 1; i <= limit; i++)
            {
                statuses.Add((await LoginForms.LoginAsync(browsers[i], customer, codes[i])).Response.StatusCode);
            }

            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Redirect, s));
            Assert.Equal(limit, (await f.Host.Get<CustomerDevices>().ListAsync(customerId, default)).Count);
            var audit = await LoginForms.AuditAsync(f.Host, customerId);
            Assert.Equal(limit, audit.Count(e => e.Action == "device_bound"));
            Assert.Single(audit, e => e.Action == "device_binding_refused");
            Assert.Equal("new_not_bound_limit_reached", audit.Last(e => e.Action == "login_succeeded").Details.GetProperty("device").GetString());
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task A_device_cookie_is_recognised_across_browser_updates_but_not_from_another_kind_of_browser()
    {
        var customer = await f.CustomerAsync(f.PartnerA);
        var customerId = await LoginForms.CustomerIdAsync(f.Host, customer);
        var devices = f.Host.Get<CustomerDevices>();
        const string id = "AAAAAAAAAAAAAAAAAAAAAA";
        await devices.BindDeviceAsync(customerId, new PresentedDevice(id, CustomerDevices.HashOf(id), CustomerDevices.AgentFingerprint("Mozilla/5.0 Chrome/120.0"), false, false), "Mozilla/5.0 Chrome/120.0", default);

        var updated = await devices.RecogniseAsync(Request(id, "Mozilla/5.0 Chrome/121.0"), customerId, default);
        var copied = await devices.RecogniseAsync(Request(id, "curl/8.0"), customerId, default);
        var unknown = await devices.RecogniseAsync(Request("BBBBBBBBBBBBBBBBBBBBBB", "Mozilla/5.0 Chrome/120.0"), customerId, default);
        var garbage = await devices.RecogniseAsync(Request("not a device id", "Mozilla/5.0 Chrome/120.0"), customerId, default);

        Assert.True(updated.Known);
        Assert.False(copied.Known);
        Assert.False(unknown.Known);
        Assert.False(garbage.Known);
        Assert.True(garbage.Fresh);
        Assert.NotEqual("not a device id", garbage.DeviceId);
    }

    private static Microsoft.AspNetCore.Http.DefaultHttpContext Request(string deviceCookie, string userAgent)
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Headers.Cookie = $"{CustomerDevices.CookieName}={deviceCookie}";
        http.Request.Headers.UserAgent = userAgent;
        return http;
    }
}
