using System.Security.Claims;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Components.Authorization;

namespace Banyan.StaffConsole.Staff;

/// <summary>The signed-in staff member as pages see them: name, roles, permissions, and an audited action gate.</summary>
internal sealed class StaffContext(AuthenticationStateProvider authentication, IAuditLog audit, StaffSignIn signIn)
{
    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<string> NameAsync() => (await UserAsync()).FindFirstValue(ClaimTypes.Name) ?? "unknown";

    public async Task<bool> CanAsync(StaffPermission permission)
    {
        var user = await UserAsync();
        return StaffRoles.Allows(user.FindAll(ClaimTypes.Role).Select(c => c.Value), permission);
    }

    /// <summary>
    /// Asks the risk engine (when one exists) about an action: <see cref="AccessOutcome.Allow"/> without
    /// an engine. StepUp means the page must collect a fresh TOTP code and call <see cref="StepUpAsync"/>.
    /// </summary>
    public async Task<AccessOutcome> AssessAsync(string action, CancellationToken ct)
    {
        var user = await UserAsync();
        var decision = await signIn.AssessActionAsync(await NameAsync(), action, StaffSignIn.SessionAccess(user), ct);
        if (decision?.Outcome == AccessOutcome.Block)
        {
            await AuditAsync("console_action", action, null, "blocked", new Dictionary<string, string> { ["reasons"] = string.Join("; ", decision.Reasons) }, ct);
        }

        return decision?.Outcome ?? AccessOutcome.Allow;
    }

    public async Task<bool> StepUpAsync(string action, string? code, CancellationToken ct)
    {
        var id = (await UserAsync()).FindFirstValue(ClaimTypes.NameIdentifier);
        return id is not null && await signIn.StepUpAsync(id, code, action, ct);
    }

    /// <summary>Audits one staff action (every read of a sensitive page and every change goes through here).</summary>
    public async Task AuditAsync(string category, string action, string? subject, string outcome, IReadOnlyDictionary<string, string>? details, CancellationToken ct) =>
        await audit.AppendAsync(new AuditEntry(category, action, StaffActor.Of(await NameAsync()), subject, outcome, details), ct);
}
