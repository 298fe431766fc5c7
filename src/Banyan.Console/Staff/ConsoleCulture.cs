using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Routing;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// English and Simplified Chinese. The choice lives in the standard culture cookie, read by request
/// localization on console paths only (API responses are not localised by it), and applies to the
/// interactive circuit because the circuit starts from a request that carries the cookie.
/// </summary>
internal static class ConsoleCulture
{
    public const string English = "en";
    public const string Chinese = "zh-CN";
    public static readonly string[] Supported = [English, Chinese];

    public static string Normalize(string? language) =>
        string.Equals(language, Chinese, StringComparison.OrdinalIgnoreCase) ? Chinese : English;

    public static void Write(HttpContext http, string language) =>
        http.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(Normalize(language))),
            new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), IsEssential = true });

    public static void UseConsoleLocalization(IApplicationBuilder app)
    {
        var options = new RequestLocalizationOptions { DefaultRequestCulture = new RequestCulture(English) };
        options.SupportedCultures = [.. Supported.Select(CultureInfo.GetCultureInfo)];
        options.SupportedUICultures = options.SupportedCultures;
        // Query (?lang= is not a standard key; culture=) then cookie; never Accept-Language, so the default is predictable.
        options.RequestCultureProviders = [new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" }, new CookieRequestCultureProvider()];
        app.UseWhen(IsConsoleRequest, branch => branch.UseRequestLocalization(options));
    }

    public static bool IsConsoleRequest(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/console") || http.Request.Path.StartsWithSegments("/_blazor");

    /// <summary><c>GET /console/culture?lang=zh-CN&amp;redirect=/console/aml</c>: stores the choice and goes back.</summary>
    public static void MapCultureEndpoint(IEndpointRouteBuilder app) =>
        app.MapGet("/console/culture", (HttpContext http, string? lang, string? redirect) =>
        {
            Write(http, Normalize(lang));
            // Only local console paths: an open redirect would let a link send staff anywhere.
            var target = redirect is { Length: < 512 } r && r.StartsWith("/console", StringComparison.Ordinal) && !r.StartsWith("//", StringComparison.Ordinal) && !r.Contains('\\', StringComparison.Ordinal) ? r : "/console";
            return Results.LocalRedirect(target);
        }).AllowAnonymous().ExcludeFromDescription();
}
