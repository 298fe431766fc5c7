using System.Net;
using System.Text.RegularExpressions;
using Banyan.Platform.Security;
using Banyan.StaffConsole.Staff;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Console.Tests;

/// <summary>The sign-in endpoints over plain HTTP (no browser): TOTP replay, wrong password, enrolment.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed partial class SignInTests(ConsoleHostFixture fixture)
{
    [Fact]
    public async Task A_totp_code_is_accepted_once_and_a_replay_is_refused()
    {
        var host = await fixture.HostAsync();
        var secret = Totp.NewSecret();
        await CreateUserAsync(host, "replay.tester", secret);
        var code = Totp.Compute(secret, Totp.StepAt(DateTimeOffset.UtcNow));

        var (first, firstCookies) = await SignInAsync(host, "replay.tester", code);
        Assert.Equal("/console", first);
        Assert.Contains(firstCookies.GetAllCookies(), c => c.Name == "banyan_console");

        var (second, secondCookies) = await SignInAsync(host, "replay.tester", code);
        Assert.Contains("error=code", second, StringComparison.Ordinal);
        Assert.DoesNotContain(secondCookies.GetAllCookies(), c => c.Name == "banyan_console");
    }

    [Fact]
    public async Task A_wrong_password_never_reaches_the_code_step()
    {
        var host = await fixture.HostAsync();
        using var client = Client(host, out _);
        var location = await PostFormAsync(client, "/console/login", "/console/account/login", new() { ["username"] = "demo.admin", ["password"] = "not-the-password" });
        Assert.Contains("error=invalid", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_without_a_secret_enrols_with_the_secret_shown_on_the_code_step()
    {
        var host = await fixture.HostAsync();
        await CreateUserAsync(host, "new.analyst", secret: null);
        using var client = Client(host, out var cookies);
        var totpPage = await PostFormAsync(client, "/console/login", "/console/account/login", new() { ["username"] = "new.analyst", ["password"] = Password });
        var html = await client.GetStringAsync(new Uri(totpPage, UriKind.Relative));
        var shown = SecretShown().Match(html);
        Assert.True(shown.Success, "the enrolment secret is shown");
        var code = Totp.Compute(StaffSignIn.Base32Decode(shown.Groups[1].Value), Totp.StepAt(DateTimeOffset.UtcNow));
        var ticket = WebUtility.UrlDecode(TicketOf().Match(totpPage).Groups[1].Value);
        var location = await PostFormAsync(client, totpPage, "/console/account/totp", new() { ["ticket"] = ticket, ["code"] = code });
        Assert.Equal("/console", location);
        Assert.Contains(cookies.GetAllCookies(), c => c.Name == "banyan_console");
    }

    private const string Password = "correct horse battery staple";

    private static async Task CreateUserAsync(ConsoleHost host, string name, byte[]? secret)
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector("Banyan.StaffConsole.Totp.v1");
        var user = new StaffUser { UserName = name, DisplayName = name, LockoutEnabled = true, TotpSecret = secret is null ? null : protector.Protect(Totp.Base32(secret)) };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, StaffRoles.AmlAnalyst)).Succeeded);
    }

    private static async Task<(string Location, CookieContainer Cookies)> SignInAsync(ConsoleHost host, string name, string code)
    {
        using var client = Client(host, out var cookies);
        var totpPage = await PostFormAsync(client, "/console/login", "/console/account/login", new() { ["username"] = name, ["password"] = Password });
        Assert.Contains("/console/login/totp", totpPage, StringComparison.Ordinal);
        var ticket = WebUtility.UrlDecode(TicketOf().Match(totpPage).Groups[1].Value);
        var location = await PostFormAsync(client, totpPage, "/console/account/totp", new() { ["ticket"] = ticket, ["code"] = code });
        return (location, cookies);
    }

    private static HttpClient Client(ConsoleHost host, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = host.Address };
    }

    /// <summary>Loads the form page for its antiforgery token, posts the form, returns the redirect target.</summary>
    private static async Task<string> PostFormAsync(HttpClient client, string formPage, string action, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(new Uri(formPage, UriKind.Relative));
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups[1].Value);
        using var form = new FormUrlEncodedContent(fields);
        using var response = await client.PostAsync(new Uri(action, UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("ticket=([^&]+)")]
    private static partial Regex TicketOf();

    [GeneratedRegex("id=\"totp-secret\"[^>]*>([A-Z2-7]+)<")]
    private static partial Regex SecretShown();
}
