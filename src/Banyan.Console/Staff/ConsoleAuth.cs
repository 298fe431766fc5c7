using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// The console's own cookie scheme (the API keeps its JWT bearer default), the authorization policy
/// every console page uses, Identity Core over the shared model, and the login/logout endpoints.
/// </summary>
internal static class ConsoleAuth
{
    public const string Scheme = "BanyanConsole";
    public const string Policy = "console-staff";
    public const string LoginPath = "/console/login";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(20);
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(8);

    public static void AddConsoleAuth(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, options =>
        {
            options.Cookie.Name = "banyan_console";
            options.Cookie.Path = "/";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = LoginPath;
            options.LogoutPath = "/console/account/logout";
            options.AccessDeniedPath = "/console/denied";
            options.ExpireTimeSpan = IdleTimeout;
            options.SlidingExpiration = true;
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireRole(StaffRoles.All));
        services.AddIdentityCore<StaffUser>(options =>
            {
                // Length over composition rules (NIST SP 800-63B §5.1.1.2); the second factor is mandatory anyway.
                options.Password.RequiredLength = 12;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.User.RequireUniqueEmail = false;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789._-";
            })
            .AddRoles<StaffRole>();
        services.AddScoped<IUserStore<StaffUser>>(sp => new UserStore<StaffUser, StaffRole, DbContext, string, StaffUserClaim, StaffUserRole, StaffUserLogin, StaffUserToken, StaffRoleClaim>(sp.GetRequiredService<DbContext>()));
        services.AddScoped<IRoleStore<StaffRole>>(sp => new RoleStore<StaffRole, DbContext, string, StaffUserRole, StaffRoleClaim>(sp.GetRequiredService<DbContext>()));
        services.AddScoped<StaffSignIn>();
        services.AddScoped<StaffAdministration>();
    }

    public static void MapAccountEndpoints(IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/console/account").ExcludeFromDescription();
        account.MapPost("/login", PasswordAsync).AllowAnonymous().WithMetadata(new RequireAntiforgeryTokenAttribute());
        account.MapPost("/totp", TotpAsync).AllowAnonymous().WithMetadata(new RequireAntiforgeryTokenAttribute());
        account.MapPost("/logout", LogoutAsync).RequireAuthorization(Policy).WithMetadata(new RequireAntiforgeryTokenAttribute());
    }

    private static async Task<IResult> PasswordAsync(HttpContext http, [FromForm(Name = "username")] string? userName, [FromForm(Name = "password")] string? password, [FromForm(Name = "lang")] string? language, StaffSignIn signIn)
    {
        var step = await signIn.CheckPasswordAsync(userName?.Trim().ToLowerInvariant(), password, AccessOf(http), http.RequestAborted);
        var lang = ConsoleCulture.Normalize(language);
        return step.Outcome switch
        {
            PasswordOutcome.NeedsTotp => Results.Redirect($"/console/login/totp?ticket={Uri.EscapeDataString(step.Ticket!)}&lang={lang}"),
            PasswordOutcome.LockedOut => Results.Redirect($"/console/login?error=locked&lang={lang}"),
            PasswordOutcome.Blocked => Results.Redirect($"/console/login?error=blocked&lang={lang}"),
            _ => Results.Redirect($"/console/login?error=invalid&lang={lang}"),
        };
    }

    private static async Task<IResult> TotpAsync(HttpContext http, [FromForm(Name = "ticket")] string? ticket, [FromForm(Name = "code")] string? code, [FromForm(Name = "lang")] string? language, StaffSignIn signIn)
    {
        var lang = ConsoleCulture.Normalize(language);
        var principal = await signIn.CheckTotpAsync(ticket, code, AccessOf(http), http.RequestAborted);
        if (principal is null)
        {
            return Results.Redirect($"/console/login/totp?ticket={Uri.EscapeDataString(ticket ?? "")}&error=code&lang={lang}");
        }

        await http.SignInAsync(Scheme, principal, new AuthenticationProperties { IsPersistent = false });
        ConsoleCulture.Write(http, lang);
        return Results.Redirect("/console");
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, Banyan.Platform.Security.IAuditLog audit)
    {
        var name = http.User.FindFirstValue(ClaimTypes.Name) ?? "unknown";
        await http.SignOutAsync(Scheme);
        await audit.AppendAsync(new Banyan.Platform.Security.AuditEntry("console_authentication", "logout", StaffActor.Of(name), null, "succeeded"), http.RequestAborted);
        return Results.Redirect(LoginPath);
    }

    private static AccessContext AccessOf(HttpContext http) =>
        new(http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null);
}
