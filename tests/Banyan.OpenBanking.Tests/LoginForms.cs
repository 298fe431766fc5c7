using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

/// <summary>Posts the customer pages' forms like a browser: open the page first, send back its hidden fields (antiforgery token included).</summary>
internal static partial class LoginForms
{
    public const string LoginPath = "/open-banking/login";

    /// <summary>Opens the login page and posts it with the customer's password and <paramref name="code"/> (TOTP or recovery code).</summary>
    public static async Task<(HttpResponseMessage Response, string Html)> LoginAsync(CustomerBrowser browser, SandboxCredentials customer, string code, string? password = null)
    {
        var (page, html) = await browser.GetAsync(LoginPath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var fields = FormOf(html, LoginPath);
        fields.Add(new("username", customer.UserName));
        fields.Add(new("password", password ?? customer.Password));
        fields.Add(new("totp", code));
        return await browser.PostAsync(LoginPath, fields);
    }

    /// <summary>The hidden fields of the one form on <paramref name="html"/> that posts to <paramref name="action"/>.</summary>
    public static List<KeyValuePair<string, string>> FormOf(string html, string action)
    {
        var forms = FormPattern().Matches(html).Where(m => WebUtility.HtmlDecode(m.Groups["action"].Value) == action).ToList();
        Assert.True(forms.Count == 1, $"expected one form posting to {action} in: {html}");
        return CustomerBrowser.FormFields(forms[0].Groups["body"].Value);
    }

    /// <summary>Generates new recovery codes on the recovery-codes page (needs a TOTP-verified session) and reads them off the page.</summary>
    public static async Task<List<string>> NewRecoveryCodesAsync(CustomerBrowser browser)
    {
        var (_, page) = await browser.GetAsync("/open-banking/recovery-codes");
        var (response, html) = await browser.PostAsync("/open-banking/recovery-codes", FormOf(page, "/open-banking/recovery-codes"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return CodePattern().Matches(html).Select(m => m.Groups["code"].Value).ToList();
    }

    /// <summary>The number of unused recovery codes the recovery-codes page shows.</summary>
    public static async Task<int> RemainingCodesAsync(CustomerBrowser browser)
    {
        var (_, html) = await browser.GetAsync("/open-banking/recovery-codes");
        return int.Parse(RemainingPattern().Match(html).Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The public ids of the devices listed on the devices page.</summary>
    public static async Task<List<string>> DevicesAsync(CustomerBrowser browser)
    {
        var (response, html) = await browser.GetAsync("/open-banking/devices");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return DevicePattern().Matches(html).Select(m => m.Groups["id"].Value).ToList();
    }

    /// <summary>The customer's id, looked up by user name.</summary>
    public static async Task<string> CustomerIdAsync(OpenBankingHost host, SandboxCredentials customer)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Banyan.OpenBanking.Storage.Customer>>();
        return (await users.FindByNameAsync(customer.UserName))!.Id;
    }

    /// <summary>The customer's authentication audit entries, oldest first: action and details.</summary>
    public static async Task<List<(string Action, JsonElement Details)>> AuditAsync(OpenBankingHost host, string actor)
    {
        var page = await host.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit?category=authentication&actor={Uri.EscapeDataString(actor)}&limit=200");
        return page.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("details")))
            .ToList();
    }

    /// <summary>The form's fields without the antiforgery token: what a cross-site page could post.</summary>
    public static List<KeyValuePair<string, string>> WithoutAntiforgery(List<KeyValuePair<string, string>> fields)
    {
        var without = fields.Where(f => f.Key != "__RequestVerificationToken").ToList();
        Assert.Equal(fields.Count - 1, without.Count);
        return without;
    }

    [GeneratedRegex("<form method=\"post\" action=\"(?<action>[^\"]*)\">(?<body>.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<code>(?<code>[^<]+)</code>")]
    private static partial Regex CodePattern();

    [GeneratedRegex("data-remaining=\"(?<n>[0-9]+)\"")]
    private static partial Regex RemainingPattern();

    [GeneratedRegex("data-device=\"(?<id>[^\"]+)\"")]
    private static partial Regex DevicePattern();
}
