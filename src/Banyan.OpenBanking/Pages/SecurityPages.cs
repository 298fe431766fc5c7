using System.Globalization;
using System.Security.Claims;
using System.Text;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Pages;

/// <summary>
/// The customer's security pages: bound devices (list, remove) and recovery codes (how many are left; new ones
/// after a TOTP-verified login, shown once). Same session, antiforgery and form-token rules as the consent pages.
/// </summary>
internal static class SecurityPages
{
    public const string DevicesPath = "/open-banking/devices";
    public const string RecoveryCodesPath = "/open-banking/recovery-codes";

    /// <summary>Links between the customer's pages.</summary>
    public const string Nav = "<nav><a href=\"" + CustomerPages.ConsentsPath + "\">Consents</a> · <a href=\"" + DevicesPath
        + "\">Devices</a> · <a href=\"" + RecoveryCodesPath + "\">Recovery codes</a></nav>";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(DevicesPath, DevicesAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(DevicesPath + "/{deviceId}/remove", RemoveDeviceAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(RecoveryCodesPath, RecoveryCodesAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(RecoveryCodesPath, RegenerateAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> DevicesAsync(HttpContext http, CustomerDevices devices)
    {
        var session = await CustomerPages.SessionAsync(http);
        if (session is null)
        {
            return CustomerPages.LoginPage(http, null, null, null, 200);
        }

        var customerId = session.FindFirstValue(Claims.Subject)!;
        var current = session.FindFirstValue(CustomerPages.DeviceClaim);
        var rows = await devices.ListAsync(customerId, http.RequestAborted);
        var body = new StringBuilder(Nav).Append("<p>Browsers you logged in from with your second factor (at most ")
            .Append(devices.Limit.ToString(CultureInfo.InvariantCulture)).Append("). A login from any other browser always asks for a code from your authenticator app or a recovery code.</p><ul>");
        foreach (var d in rows)
        {
            body.Append("<li><span class=\"device\" data-device=\"").Append(Html.E(d.Id)).Append("\">").Append(Html.E(d.UserAgent.Length == 0 ? "Unknown browser" : d.UserAgent)).Append("</span>")
                .Append(d.DeviceHash == current ? " <strong>(this browser)</strong>" : "")
                .Append(" — bound ").Append(Html.E(Date(d.BoundAtUnixMs))).Append(", last login ").Append(Html.E(Date(d.LastSeenAtUnixMs)))
                .Append($"<form method=\"post\" action=\"{DevicesPath}/{Html.E(d.Id)}/remove\">").Append(Forms.Antiforgery(http))
                .Append(Html.Hidden("form_token", CustomerPages.FormToken(http, customerId, "device-remove:" + d.Id)))
                .Append("<button type=\"submit\">Remove</button></form></li>");
        }

        return Html.Page(http, "Your devices", body.Append("</ul>").ToString());
    }

    private static async Task<IResult> RemoveDeviceAsync(string deviceId, HttpContext http, CustomerDevices devices)
    {
        var customerId = (await CustomerPages.SessionAsync(http))?.FindFirstValue(Claims.Subject);
        if (!await Forms.FromThisSiteAsync(http))
        {
            return await Forms.RefusedAsync(http, customerId, "device_remove");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (customerId is null || !CustomerPages.FormTokenValid(http, form["form_token"], customerId, "device-remove:" + deviceId))
        {
            return Html.Page(http, "Session expired", Html.Error("Log in again to manage your devices."), 400);
        }

        return await devices.RemoveAsync(customerId, deviceId, http.RequestAborted)
            ? Results.Redirect(DevicesPath)
            : Html.Page(http, "Not found", Html.Error("No such device."), 404);
    }

    private static async Task<IResult> RecoveryCodesAsync(HttpContext http, UserManager<Customer> users)
    {
        var session = await CustomerPages.SessionAsync(http);
        var customer = session is null ? null : await users.FindByIdAsync(session.FindFirstValue(Claims.Subject)!);
        if (session is null || customer is null)
        {
            return CustomerPages.LoginPage(http, null, null, null, 200);
        }

        var remaining = await users.CountRecoveryCodesAsync(customer);
        var body = new StringBuilder(Nav).Append("<p>You have <strong class=\"remaining\" data-remaining=\"").Append(remaining.ToString(CultureInfo.InvariantCulture)).Append("\">")
            .Append(remaining.ToString(CultureInfo.InvariantCulture)).Append("</strong> unused recovery codes. Each works once, in place of a code from your authenticator app.</p>");
        if (TotpVerified(session))
        {
            body.Append($"<form method=\"post\" action=\"{RecoveryCodesPath}\">").Append(Forms.Antiforgery(http))
                .Append(Html.Hidden("form_token", CustomerPages.FormToken(http, customer.Id, "recovery-codes")))
                .Append("<p>New codes replace all the old ones.</p><button type=\"submit\">Generate new codes</button></form>");
        }
        else
        {
            body.Append("<p>To generate new codes, log in with a code from your authenticator app.</p>");
        }

        return Html.Page(http, "Recovery codes", body.ToString());
    }

    private static async Task<IResult> RegenerateAsync(HttpContext http, UserManager<Customer> users, Customers customers)
    {
        var session = await CustomerPages.SessionAsync(http);
        var customerId = session?.FindFirstValue(Claims.Subject);
        if (!await Forms.FromThisSiteAsync(http))
        {
            return await Forms.RefusedAsync(http, customerId, "recovery_codes");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var customer = customerId is null ? null : await users.FindByIdAsync(customerId);
        if (customer is null || !CustomerPages.FormTokenValid(http, form["form_token"], customer.Id, "recovery-codes"))
        {
            return Html.Page(http, "Session expired", Html.Error("Log in again to manage your recovery codes."), 400);
        }

        if (!TotpVerified(session!))
        {
            return Html.Page(http, "Not allowed", Html.Error("Log in with a code from your authenticator app to generate new recovery codes."), 403);
        }

        var codes = await customers.GenerateRecoveryCodesAsync(users, customer, http.RequestAborted);
        var body = new StringBuilder("<p>Write these codes down and keep them safe. They are shown only now; each works once.</p><ul class=\"recovery-codes\">");
        foreach (var code in codes)
        {
            body.Append("<li><code>").Append(Html.E(code)).Append("</code></li>");
        }

        return Html.Page(http, "Your new recovery codes", body.Append("</ul>").Append(Nav).ToString());
    }

    /// <summary>The session's second factor was a TOTP code (not a recovery code): only then may codes be regenerated.</summary>
    private static bool TotpVerified(ClaimsPrincipal session) =>
        session.FindAll("amr").Any(c => c.Value.Split(' ').Contains(Customers.ByTotp, StringComparer.Ordinal));

    private static string Date(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
