using Banyan.Platform.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Pages;

/// <summary>
/// CSRF protection for the customer forms with ASP.NET Core antiforgery (decision 0612): every form carries the
/// request token (paired with the HttpOnly antiforgery cookie), and every state-changing POST is checked before
/// the handler reads or changes anything. A refused POST gets a 400 page, changes nothing and is audited.
/// </summary>
internal static class Forms
{
    /// <summary>The hidden antiforgery field for a form (also sets the antiforgery cookie when the browser has none).</summary>
    public static string Antiforgery(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return Html.Hidden(tokens.FormFieldName, tokens.RequestToken);
    }

    /// <summary>True when the POST carries a valid antiforgery cookie and form token pair (i.e. came from our own page).</summary>
    public static async Task<bool> FromThisSiteAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return false;
        }

        try
        {
            return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
        }
        catch (Exception e) when (e is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException)
        {
            // A malformed or oversized form is refused the same way as a missing token.
            return false;
        }
    }

    /// <summary>The 400 page for a POST without a valid token; audited with the form's name and the claimed origin.</summary>
    public static async Task<IResult> RefusedAsync(HttpContext http, string? customerId, string form)
    {
        var origin = http.Request.Headers.Origin.ToString();
        await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("authentication", "form_rejected", customerId ?? "anonymous", null, "blocked",
            new Dictionary<string, string>
            {
                ["form"] = form,
                ["reason"] = "missing or invalid antiforgery token",
                ["origin"] = origin.Length > 200 ? origin[..200] : origin,
                ["source"] = http.Connection.RemoteIpAddress?.ToString() ?? "",
            }), http.RequestAborted);
        return Html.Page(http, "Request refused", Html.Error("This form did not come from a Banyan page, or the page is too old. Nothing was changed.")
            + "<p>Go back to the page, reload it and try again.</p>", StatusCodes.Status400BadRequest);
    }
}
