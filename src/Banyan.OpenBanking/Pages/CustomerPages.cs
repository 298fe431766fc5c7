using System.Globalization;
using System.Security.Claims;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Storage;
using Banyan.Payments.Contracts;
using Banyan.Platform.Security;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Pages;

/// <summary>
/// The customer's side of the flow: the authorization endpoint (behind OpenIddict, which has already checked
/// the client, the pushed request and PKCE), the login page (password + TOTP or a recovery code, device
/// binding), the consent page and the customer's own consent list with revocation. Plain forms, no scripts;
/// every state-changing form carries an ASP.NET Core antiforgery token, checked before anything else
/// (<see cref="Forms"/>, decision 0612), plus a form token bound to the customer and the form's purpose.
/// </summary>
internal static class CustomerPages
{
    public const string Scheme = "ob-customer";
    public const string LoginPath = "/open-banking/login";
    public const string ConsentsPath = "/open-banking/consents";
    /// <summary>Session claim: the hash of the device id the customer logged in from.</summary>
    public const string DeviceClaim = "ob_device";
    private const string FormPurpose = "Banyan.OpenBanking.Forms.v1";
    private static readonly TimeSpan FormLifetime = TimeSpan.FromMinutes(10);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().ExcludeFromDescription();
        // Antiforgery is validated inside the handlers (Forms.FromThisSiteAsync) so a refusal is a page, not an exception.
        app.MapGet(LoginPath, (HttpContext http) => LoginPage(http, null, null, null, 200)).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(LoginPath, LoginAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(ConsentsPath, MyConsentsAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(ConsentsPath + "/{consentId}/revoke", RevokeAsync).AllowAnonymous().ExcludeFromDescription();
        SecurityPages.Map(app);
    }

    /// <summary>The customer's page session (cookie <c>banyan_ob_session</c>), or null.</summary>
    internal static async Task<ClaimsPrincipal?> SessionAsync(HttpContext http) =>
        (await http.AuthenticateAsync(Scheme)).Principal is { } p && p.FindFirstValue(Claims.Subject) is not null ? p : null;

    private static async Task<IResult> AuthorizeAsync(HttpContext http, Consents consents, TimeProvider time)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The authorization endpoint must run behind OpenIddict.");
        var consentId = (string?)request.GetParameter("consent_id");
        var consent = consentId is null ? null : await consents.FindAsync(consentId, http.RequestAborted);
        var kind = request.HasScope(OpenBankingScopes.Payments) ? Consents.DomesticPayment : Consents.AccountAccess;
        if (consent is null || consent.ClientId != request.ClientId || consent.Kind != kind || consent.Status != ConsentStatus.Awaiting
            || consent.ExpiresAtUnixMs <= time.GetUtcNow().ToUnixTimeMilliseconds() || request.GetScopes().Length != 1)
        {
            return Reject(Errors.InvalidRequest, "consent_id must name this client's consent awaiting authorisation, with exactly the one scope of its kind.");
        }

        var session = await http.AuthenticateAsync(Scheme);
        var customerId = session.Principal?.FindFirstValue(Claims.Subject);
        if (customerId is null)
        {
            return LoginPage(http, request.ClientId, request.RequestUri, null, 200);
        }

        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        var decision = form?["decision"].ToString();
        if (string.IsNullOrEmpty(decision))
        {
            return await ConsentPageAsync(http, request, consent, customerId, null, stepUp: false);
        }

        if (!await Forms.FromThisSiteAsync(http))
        {
            return await Forms.RefusedAsync(http, customerId, "consent_decision");
        }

        if (!FormTokenValid(http, form!["form_token"], customerId, "consent:" + consent.Id))
        {
            return Html.Page(http, "Session expired", Html.Error("This page expired. Start again from the partner's app."), 400);
        }

        return await DecideAsync(http, request, consent, customerId, form!, decision);
    }

    private static async Task<IResult> DecideAsync(HttpContext http, OpenIddictRequest request, ConsentRow consent, string customerId, IFormCollection form, string decision)
    {
        var consents = http.RequestServices.GetRequiredService<Consents>();
        if (decision != "grant")
        {
            await consents.RejectAsync(consent, customerId, http.RequestAborted);
            return Reject(Errors.AccessDenied, "The customer declined.");
        }

        var risk = await AssessAsync(http, customerId, "consent_grant", (await SessionAsync(http))?.FindFirstValue(DeviceClaim));
        if (risk == AccessOutcome.Block)
        {
            return Reject(Errors.AccessDenied, "Refused by the bank's risk controls.");
        }

        if (risk == AccessOutcome.StepUp)
        {
            var users = http.RequestServices.GetRequiredService<UserManager<Customer>>();
            var customer = await users.FindByIdAsync(customerId);
            if (customer is null || await http.RequestServices.GetRequiredService<Customers>().VerifySecondFactorAsync(users, customer, form["totp"], http.RequestAborted) is null)
            {
                return await ConsentPageAsync(http, request, consent, customerId, "Confirm with a new code from your authenticator app.", stepUp: true);
            }
        }

        var accounts = await http.RequestServices.GetRequiredService<ICustomerAccounts>().ListAsync(customerId, http.RequestAborted);
        var chosen = Chosen(consent, form, accounts);
        if (chosen.Count == 0)
        {
            return await ConsentPageAsync(http, request, consent, customerId, "Choose at least one eligible account.", stepUp: risk == AccessOutcome.StepUp);
        }

        if (!await consents.AuthoriseAsync(consent, customerId, chosen, http.RequestAborted))
        {
            return Reject(Errors.InvalidRequest, "The consent is no longer awaiting authorisation.");
        }

        var identity = new ClaimsIdentity("openbanking", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, customerId);
        identity.SetClaim(OAuthHandlers.ConsentClaim, consent.Id);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static List<string> Chosen(ConsentRow consent, IFormCollection form, IReadOnlyList<CustomerAccount> accounts)
    {
        var own = accounts.ToDictionary(a => a.AccountId.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
        if (consent.Kind == Consents.AccountAccess)
        {
            return form["account"].Where(a => a is not null && own.ContainsKey(a)).Select(a => a!).Distinct(StringComparer.Ordinal).Take(20).ToList();
        }

        var debtor = form["debtor_account"].ToString();
        return own.TryGetValue(debtor, out var account) && account.Currency.Code == consent.Currency && debtor != consent.CreditorAccountId ? [debtor] : [];
    }

    private static async Task<IResult> LoginAsync(HttpContext http, UserManager<Customer> users, Customers customers, CustomerDevices devices, IAuditLog audit)
    {
        if (!await Forms.FromThisSiteAsync(http))
        {
            return await Forms.RefusedAsync(http, null, "login");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string clientId = form["client_id"].ToString(), requestUri = form["request_uri"].ToString(), userName = form["username"].ToString();
        if (userName.Length is 0 or > 128 || form["password"].ToString().Length is 0 or > 256)
        {
            return LoginPage(http, clientId, requestUri, "Enter your user name, password and code.", 400);
        }

        var (customer, error) = await Customers.CheckPasswordAsync(users, userName, form["password"].ToString());
        var method = customer is null ? null : await customers.VerifySecondFactorAsync(users, customer, form["totp"], http.RequestAborted);
        if (customer is not null && method is null)
        {
            // A wrong second factor counts towards lockout like a wrong password: guessing codes locks the customer out.
            await users.AccessFailedAsync(customer);
            (customer, error) = (null, RecoveryCodeHasher.LooksLikeCode(form["totp"].ToString().Trim()) ? "wrong_or_used_recovery_code" : "wrong_or_reused_totp");
        }

        var device = customer is null ? CustomerDevices.Read(http) : await devices.RecogniseAsync(http, customer.Id, http.RequestAborted);
        if (customer is not null && await AssessAsync(http, customer.Id, "login", device.DeviceHash) == AccessOutcome.Block)
        {
            (customer, error) = (null, "blocked_by_risk_engine");
        }

        var details = new Dictionary<string, string> { ["source"] = http.Connection.RemoteIpAddress?.ToString() ?? "", ["client_id"] = clientId.Length > 64 ? "" : clientId };
        if (customer is null)
        {
            details["reason"] = error ?? "";
            await audit.AppendAsync(new AuditEntry("authentication", "login_failed", userName, null, error == "blocked_by_risk_engine" ? "blocked" : "failed", details), http.RequestAborted);
            return LoginPage(http, clientId, requestUri, error == "locked_out" ? "Too many attempts; try again later." : "Those details are not right.", 401);
        }

        await users.ResetAccessFailedCountAsync(customer);
        return await SignInAsync(http, customer, method!, device, details, clientId, requestUri);
    }

    /// <summary>After both factors passed: bind the device, give it its cookie, audit, start the session, redirect.</summary>
    private static async Task<IResult> SignInAsync(HttpContext http, Customer customer, string method, PresentedDevice device, Dictionary<string, string> details, string clientId, string requestUri)
    {
        var devices = http.RequestServices.GetRequiredService<CustomerDevices>();
        var bound = await devices.BindDeviceAsync(customer.Id, device, http.Request.Headers.UserAgent.ToString(), http.RequestAborted);
        devices.IssueCookie(http, device);
        details["second_factor"] = method == Customers.ByTotp ? "totp" : "recovery_code";
        details["device"] = device.Known ? "known" : bound == BindOutcome.LimitReached ? "new_not_bound_limit_reached" : "new_bound";
        await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("authentication", "login_succeeded", customer.Id, null, "succeeded", details), http.RequestAborted);
        var identity = new ClaimsIdentity(Scheme, Claims.Subject, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, customer.Id));
        identity.AddClaim(new Claim("amr", "pwd " + method));
        identity.AddClaim(new Claim(DeviceClaim, device.DeviceHash));
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        // The redirect target is built here from two opaque values, never taken from the form: no open redirect.
        return Results.Redirect(clientId.Length > 0 && requestUri.Length > 0
            ? $"/connect/authorize?client_id={Uri.EscapeDataString(clientId)}&request_uri={Uri.EscapeDataString(requestUri)}"
            : ConsentsPath);
    }

    private static async Task<IResult> MyConsentsAsync(HttpContext http, Consents consents, Partners partners)
    {
        var customerId = (await http.AuthenticateAsync(Scheme)).Principal?.FindFirstValue(Claims.Subject);
        if (customerId is null)
        {
            return LoginPage(http, null, null, null, 200);
        }

        var rows = await consents.ListForCustomerAsync(customerId, http.RequestAborted);
        var body = new System.Text.StringBuilder(SecurityPages.Nav).Append("<p>Consents you have given to apps. Revoking one stops the app at once.</p><ul>");
        foreach (var c in rows)
        {
            var partner = await partners.FindByClientAsync(c.ClientId, http.RequestAborted);
            body.Append("<li><strong>").Append(Html.E(partner?.Name ?? c.ClientId)).Append("</strong> — ").Append(Html.E(c.Kind)).Append(", ")
                .Append("<span class=\"status\" data-consent=\"").Append(Html.E(c.Id)).Append("\">").Append(Html.E(c.Status)).Append("</span>");
            if (c.Kind == Consents.AccountAccess && c.Status is ConsentStatus.Authorised)
            {
                body.Append($"<form method=\"post\" action=\"{ConsentsPath}/{Html.E(c.Id)}/revoke\">")
                    .Append(Forms.Antiforgery(http)).Append(Html.Hidden("form_token", FormToken(http, customerId, "revoke:" + c.Id)))
                    .Append("<button type=\"submit\">Revoke</button></form>");
            }

            body.Append("</li>");
        }

        return Html.Page(http, "Your consents", body.Append("</ul>").ToString());
    }

    private static async Task<IResult> RevokeAsync(string consentId, HttpContext http, Consents consents)
    {
        var customerId = (await http.AuthenticateAsync(Scheme)).Principal?.FindFirstValue(Claims.Subject);
        if (!await Forms.FromThisSiteAsync(http))
        {
            return await Forms.RefusedAsync(http, customerId, "consent_revoke");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (customerId is null || !FormTokenValid(http, form["form_token"], customerId, "revoke:" + consentId))
        {
            return Html.Page(http, "Session expired", Html.Error("Log in again to manage your consents."), 400);
        }

        var consent = await consents.FindAsync(consentId, http.RequestAborted);
        if (consent is null || consent.CustomerId != customerId)
        {
            return Html.Page(http, "Not found", Html.Error("No such consent."), 404);
        }

        await consents.RevokeAsync(consent, customerId, http.RequestAborted);
        return Results.Redirect(ConsentsPath);
    }

    internal static IResult LoginPage(HttpContext http, string? clientId, string? requestUri, string? error, int status) =>
        Html.Page(http, "Log in to Banyan", Html.Error(error)
            + $"<form method=\"post\" action=\"{LoginPath}\">" + Forms.Antiforgery(http) + Html.Hidden("client_id", clientId) + Html.Hidden("request_uri", requestUri)
            + "<label>User name <input name=\"username\" autocomplete=\"username\" required></label>"
            + "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
            + "<label>Code from your authenticator app, or one of your recovery codes <input name=\"totp\" autocomplete=\"one-time-code\" maxlength=\"32\" required></label>"
            + "<button type=\"submit\">Log in</button></form>", status);

    private static async Task<IResult> ConsentPageAsync(HttpContext http, OpenIddictRequest request, ConsentRow consent, string customerId, string? error, bool stepUp)
    {
        var partner = await http.RequestServices.GetRequiredService<Partners>().FindByClientAsync(consent.ClientId, http.RequestAborted);
        var accounts = await http.RequestServices.GetRequiredService<ICustomerAccounts>().ListAsync(customerId, http.RequestAborted);
        var body = new System.Text.StringBuilder(Html.Error(error)).Append("<p><strong>").Append(Html.E(partner?.Name ?? consent.ClientId)).Append("</strong> asks ");
        if (consent.Kind == Consents.AccountAccess)
        {
            body.Append("to see: ").Append(Html.E(consent.Permissions.Replace(' ', ','))).Append(" until ")
                .Append(Html.E(DateTimeOffset.FromUnixTimeMilliseconds(consent.ExpiresAtUnixMs).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append(".</p>");
        }
        else
        {
            body.Append("to pay ").Append(Html.E(Banyan.Platform.Money.Currencies.Get(consent.Currency!).Format(consent.AmountMinor))).Append(' ').Append(Html.E(consent.Currency))
                .Append(" to account ").Append(Html.E(consent.CreditorAccountId)).Append(" (").Append(Html.E(consent.Reference)).Append(").</p>");
        }

        body.Append("<form method=\"post\" action=\"/connect/authorize\">").Append(Html.Hidden("client_id", request.ClientId)).Append(Html.Hidden("request_uri", request.RequestUri))
            .Append(Forms.Antiforgery(http)).Append(Html.Hidden("form_token", FormToken(http, customerId, "consent:" + consent.Id)));
        foreach (var a in accounts.Where(a => consent.Kind == Consents.AccountAccess || a.Currency.Code == consent.Currency))
        {
            var id = a.AccountId.ToString(CultureInfo.InvariantCulture);
            var (type, name) = consent.Kind == Consents.AccountAccess ? ("checkbox", "account") : ("radio", "debtor_account");
            body.Append($"<label><input type=\"{type}\" name=\"{name}\" value=\"{Html.E(id)}\" checked> {Html.E(a.Currency.Code)} account {Html.E(id)}</label>");
        }

        if (stepUp)
        {
            body.Append("<label>Code from your authenticator app, or a recovery code <input name=\"totp\" autocomplete=\"one-time-code\" maxlength=\"32\" required></label>");
        }

        body.Append("<button type=\"submit\" name=\"decision\" value=\"grant\">Allow</button><button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>");
        return Html.Page(http, "Allow access?", body.ToString());
    }

    /// <summary>Asks the risk engine, if installed; the device is the bound-device hash (else the client's fingerprint header).</summary>
    private static async Task<AccessOutcome> AssessAsync(HttpContext http, string customerId, string action, string? device)
    {
        var engine = http.RequestServices.GetService<IAccessRiskEngine>();
        if (engine is null)
        {
            return AccessOutcome.Allow;
        }

        var attempt = new AccessAttempt(PrincipalKind.Customer, customerId, action, http.Connection.RemoteIpAddress?.ToString(),
            device ?? (http.Request.Headers["X-Device-Fingerprint"].ToString() is { Length: > 0 and <= 128 } fingerprint ? fingerprint : null),
            http.Request.Headers.UserAgent.ToString(), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        var decision = await engine.AssessAsync(attempt, http.RequestAborted);
        if (decision.Outcome != AccessOutcome.Allow)
        {
            await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("authentication", action + "_risk_" + (decision.Outcome == AccessOutcome.Block ? "blocked" : "step_up"),
                customerId, null, decision.Outcome == AccessOutcome.Block ? "blocked" : "step_up",
                new Dictionary<string, string> { ["reasons"] = string.Join("; ", decision.Reasons).Length > 500 ? string.Join("; ", decision.Reasons)[..500] : string.Join("; ", decision.Reasons) }), http.RequestAborted);
        }

        return decision.Outcome;
    }

    private static IResult Reject(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    // A form token binds a form to the logged-in customer and one purpose for ten minutes (CSRF protection).
    internal static string FormToken(HttpContext http, string customerId, string purpose)
    {
        var expires = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().Add(FormLifetime).ToUnixTimeSeconds();
        return Protector(http).Protect($"{customerId}|{purpose}|{expires.ToString(CultureInfo.InvariantCulture)}");
    }

    internal static bool FormTokenValid(HttpContext http, string? token, string customerId, string purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return false;
        }

        try
        {
            var parts = Protector(http).Unprotect(token).Split('|');
            return parts.Length == 3 && parts[0] == customerId && parts[1] == purpose
                && long.Parse(parts[2], CultureInfo.InvariantCulture) > http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static IDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(FormPurpose);
}
