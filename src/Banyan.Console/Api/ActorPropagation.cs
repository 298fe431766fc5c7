using System.Security.Claims;
using System.Text.RegularExpressions;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Banyan.StaffConsole.Api;

/// <summary>
/// Carries the signed-in staff member into the API as the actor (decision 0902). The console's
/// server-side calls send <c>Banyan-Staff-Actor: &lt;user&gt;</c>; this middleware, which runs after
/// authentication, honours it only when the validated token belongs to the console's own client, and
/// then rewrites the caller's <c>client_id</c>/<c>sub</c> to <c>console:&lt;user&gt;</c> so every module
/// that records "who" (AML case history, audit) records the person. The console client stays visible
/// in the <c>act_client</c> claim. Any other client sending the header gets 403: nobody else may
/// claim to be staff.
/// </summary>
internal static partial class ActorPropagation
{
    public const string Header = "Banyan-Staff-Actor";
    public const string ActingClientClaim = "act_client";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex StaffName();

    // Most API calls carry no actor header: they go straight on, without an async state machine of their own.
    public static void Use(IApplicationBuilder app) => app.Use((http, next) =>
        http.Request.Headers.TryGetValue(Header, out var values) ? ActAsync(http, next, values) : next(http));

    private static async Task ActAsync(HttpContext http, RequestDelegate next, Microsoft.Extensions.Primitives.StringValues values)
    {
        var principal = Rewrite(http.User, values.Count == 1 ? values[0] : null);
        if (principal is null)
        {
            await BanyanProblems.Forbidden($"{Header} is accepted only from the console's own client, once, as a staff user name.").ExecuteAsync(http);
            return;
        }

        http.User = principal;
        await next(http);
    }

    /// <summary>The principal acting as <paramref name="staff"/>, or <see langword="null"/> when the caller may not do that.</summary>
    internal static ClaimsPrincipal? Rewrite(ClaimsPrincipal user, string? staff)
    {
        var client = user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value;
        if (user.Identity is not ClaimsIdentity { IsAuthenticated: true } identity
            || !string.Equals(client, ConsoleClientCredentials.ClientId, StringComparison.Ordinal)
            || staff is null || !StaffName().IsMatch(staff))
        {
            return null;
        }

        var actor = Staff.StaffActor.Of(staff);
        var rewritten = new ClaimsIdentity(identity.Claims.Where(c => c.Type is not ("client_id" or "sub" or ClaimTypes.NameIdentifier)), identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);
        rewritten.AddClaim(new Claim("client_id", actor));
        rewritten.AddClaim(new Claim("sub", actor));
        rewritten.AddClaim(new Claim(ActingClientClaim, ConsoleClientCredentials.ClientId));
        return new ClaimsPrincipal(rewritten);
    }
}
