using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// Session timeout and revocation inside a live circuit (the cookie is only checked when a request
/// arrives): every minute the session is re-checked — absolute age, security stamp (password, roles or
/// TOTP changed), lockout. A failed check signs the circuit out, and the router sends the user to login.
/// </summary>
internal sealed class StaffSessionValidator(ILoggerFactory loggers, IServiceScopeFactory scopes, TimeProvider time)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (!long.TryParse(user.FindFirstValue(StaffSignIn.LoginTimeClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var loginAt)
            || time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(loginAt) > ConsoleAuth.AbsoluteTimeout)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StaffSignIn>().StampStillValidAsync(user);
    }
}
