using System.Globalization;
using System.Security.Claims;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.StaffConsole.Staff;

/// <summary>
/// Staff login in two steps: password (→ a five-minute ticket), then a TOTP code (→ the cookie
/// principal). A user without a confirmed TOTP secret enrols in the second step: a pending secret is
/// shown and the first valid code confirms it. Every outcome is audited; the access risk engine, when
/// one is registered, may refuse (block) a login. Codes are never accepted twice (last step stored).
/// </summary>
internal sealed class StaffSignIn(
    UserManager<StaffUser> users,
    IDataProtectionProvider protection,
    IAuditLog audit,
    TimeProvider time,
    IServiceProvider services)
{
    public const string LoginTimeClaim = "banyan:login_at";
    private static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(5);

    private IDataProtector Secrets => protection.CreateProtector("Banyan.StaffConsole.Totp.v1");

    private ITimeLimitedDataProtector Tickets => protection.CreateProtector("Banyan.StaffConsole.LoginTicket.v1").ToTimeLimitedDataProtector();

    public async Task<PasswordStep> CheckPasswordAsync(string? userName, string? password, AccessContext access, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > 64 || string.IsNullOrEmpty(password) || password.Length > 256)
        {
            return PasswordStep.Failed;
        }

        var actor = StaffActor.Of(userName);
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            await AuditAsync("login_failed", actor, "failed", access, ("reason", "unknown_user"), ct);
            return PasswordStep.Failed;
        }

        if (await users.IsLockedOutAsync(user))
        {
            await AuditAsync("login_failed", actor, "blocked", access, ("reason", "locked_out"), ct);
            return PasswordStep.LockedOut;
        }

        var decision = await AssessAsync(user, "console_login", access, ct);
        if (decision?.Outcome == AccessOutcome.Block)
        {
            await AuditAsync("login_blocked", actor, "blocked", access, ("reasons", string.Join("; ", decision.Reasons)), ct);
            return PasswordStep.Blocked;
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            await AuditAsync("login_failed", actor, "failed", access, ("reason", "wrong_password"), ct);
            return PasswordStep.Failed;
        }

        if (user.TotpSecret is null && user.PendingTotpSecret is null)
        {
            user.PendingTotpSecret = Secrets.Protect(Totp.Base32(Totp.NewSecret()));
            await users.UpdateAsync(user);
        }

        await AuditAsync("password_accepted", actor, decision?.Outcome == AccessOutcome.StepUp ? "step_up" : "succeeded", access, ("next", "totp"), ct);
        return new PasswordStep(PasswordOutcome.NeedsTotp, Tickets.Protect(user.Id, TicketLifetime));
    }

    /// <summary>The base32 secret to show while the ticket's user has not confirmed enrolment; <see langword="null"/> once enrolled or for a bad ticket.</summary>
    public async Task<EnrolmentView?> PendingEnrolmentAsync(string? ticket)
    {
        var user = await UserOfTicketAsync(ticket);
        if (user?.PendingTotpSecret is null || user.TotpSecret is not null)
        {
            return null;
        }

        var secret = Secrets.Unprotect(user.PendingTotpSecret);
        return new EnrolmentView(secret, Totp.ProvisioningUri("Banyan", user.UserName ?? user.Id, Base32Decode(secret)));
    }

    public async Task<ClaimsPrincipal?> CheckTotpAsync(string? ticket, string? code, AccessContext access, CancellationToken ct)
    {
        var user = await UserOfTicketAsync(ticket);
        if (user is null)
        {
            return null;
        }

        var actor = StaffActor.Of(user.UserName!);
        var enrolling = user.TotpSecret is null;
        if (await users.IsLockedOutAsync(user) || !await VerifyCodeAsync(user, code))
        {
            await users.AccessFailedAsync(user);
            await AuditAsync("login_failed", actor, "failed", access, ("reason", "wrong_totp"), ct);
            return null;
        }

        await users.ResetAccessFailedCountAsync(user);
        await AuditAsync(enrolling ? "totp_enrolled" : "login_succeeded", actor, "succeeded", access, ("method", "password+totp"), ct);
        if (enrolling)
        {
            await AuditAsync("login_succeeded", actor, "succeeded", access, ("method", "password+totp"), ct);
        }

        return await PrincipalAsync(user, access);
    }

    /// <summary>Step-up during a session: a fresh TOTP code for an action. Audited; replay-safe.</summary>
    public async Task<bool> StepUpAsync(string userId, string? code, string action, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.TotpSecret is null)
        {
            return false;
        }

        var ok = await VerifyCodeAsync(user, code);
        await AuditAsync("step_up", StaffActor.Of(user.UserName!), ok ? "succeeded" : "failed", default, ("action", action), ct);
        return ok;
    }

    /// <summary>
    /// Asks the risk engine (if any) about an action; <see langword="null"/> when no engine is registered.
    /// The session's sign-in address and user agent go with it: without them every action looked like
    /// a new browser to the engine and always asked for a step-up.
    /// </summary>
    public async Task<AccessDecision?> AssessActionAsync(string userName, string action, AccessContext access, CancellationToken ct)
    {
        var engine = services.GetService<IAccessRiskEngine>();
        return engine is null
            ? null
            : await engine.AssessAsync(new AccessAttempt(PrincipalKind.Staff, StaffActor.Of(userName), action, access.SourceAddress, null, access.UserAgent, time.GetUtcNow()), ct);
    }

    /// <summary>The sign-in's source address and user agent as stored in the session's claims.</summary>
    public static AccessContext SessionAccess(ClaimsPrincipal principal) =>
        new(principal.FindFirstValue(SourceClaim), principal.FindFirstValue(UserAgentClaim));

    /// <summary>Whether the session's security stamp still matches (password, roles or TOTP unchanged).</summary>
    public async Task<bool> StampStillValidAsync(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var user = id is null ? null : await users.FindByIdAsync(id);
        return user is not null && !await users.IsLockedOutAsync(user)
            && string.Equals(user.SecurityStamp, principal.FindFirstValue(StampClaim), StringComparison.Ordinal);
    }

    private const string StampClaim = "banyan:stamp";
    private const string SourceClaim = "banyan:source";
    private const string UserAgentClaim = "banyan:user_agent";
    private const int MaxUserAgentChars = 256;

    private async Task<bool> VerifyCodeAsync(StaffUser user, string? code)
    {
        var stored = user.TotpSecret ?? user.PendingTotpSecret;
        if (stored is null)
        {
            return false;
        }

        var step = Totp.Verify(Base32Decode(Secrets.Unprotect(stored)), code?.Trim(), time.GetUtcNow(), user.LastTotpStep);
        if (step is null)
        {
            return false;
        }

        user.LastTotpStep = step.Value;
        if (user.TotpSecret is null)
        {
            user.TotpSecret = user.PendingTotpSecret;
            user.PendingTotpSecret = null;
        }

        // A concurrency failure here means another request accepted a code at the same moment: refuse this one.
        var result = await users.UpdateAsync(user);
        return result.Succeeded;
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(StaffUser user, AccessContext access)
    {
        var identity = new ClaimsIdentity(ConsoleAuth.Scheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.UserName!));
        identity.AddClaim(new Claim("banyan:display_name", user.DisplayName));
        identity.AddClaim(new Claim(StampClaim, user.SecurityStamp ?? ""));
        identity.AddClaim(new Claim(LoginTimeClaim, time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        if (access.SourceAddress is { Length: > 0 } source) identity.AddClaim(new Claim(SourceClaim, source));
        if (access.UserAgent is { Length: > 0 } agent) identity.AddClaim(new Claim(UserAgentClaim, agent.Length > MaxUserAgentChars ? agent[..MaxUserAgentChars] : agent));
        foreach (var role in await users.GetRolesAsync(user))
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(identity);
    }

    private async Task<StaffUser?> UserOfTicketAsync(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > 2048)
        {
            return null;
        }

        try
        {
            return await users.FindByIdAsync(Tickets.Unprotect(ticket));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Expired, tampered or from another key ring: the same as no ticket.
            return null;
        }
    }

    private async Task<AccessDecision?> AssessAsync(StaffUser user, string action, AccessContext access, CancellationToken ct)
    {
        var engine = services.GetService<IAccessRiskEngine>();
        return engine is null
            ? null
            : await engine.AssessAsync(new AccessAttempt(PrincipalKind.Staff, StaffActor.Of(user.UserName!), action, access.SourceAddress, null, access.UserAgent, time.GetUtcNow()), ct);
    }

    private async Task AuditAsync(string action, string actor, string outcome, AccessContext access, (string Key, string Value) detail, CancellationToken ct)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal) { [detail.Key] = Clip(detail.Value) };
        if (access.SourceAddress is not null) details["source"] = Clip(access.SourceAddress);
        if (access.UserAgent is not null) details["user_agent"] = Clip(access.UserAgent);
        await audit.AppendAsync(new AuditEntry("console_authentication", action, actor, null, outcome, details), ct);
    }

    private static string Clip(string value) => value.Length <= 512 ? value : value[..512];

    internal static byte[] Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            var value = alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0) throw new FormatException("not base32");
            buffer = ((buffer << 5) | value) & 0xFFFF;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xFF));
                bits -= 8;
            }
        }

        return [.. output];
    }
}

/// <summary>Where a login comes from (for the audit log and the risk engine).</summary>
internal readonly record struct AccessContext(string? SourceAddress, string? UserAgent);

internal enum PasswordOutcome { Failed = 1, LockedOut, Blocked, NeedsTotp }

internal sealed record PasswordStep(PasswordOutcome Outcome, string? Ticket)
{
    public static readonly PasswordStep Failed = new(PasswordOutcome.Failed, null);
    public static readonly PasswordStep LockedOut = new(PasswordOutcome.LockedOut, null);
    public static readonly PasswordStep Blocked = new(PasswordOutcome.Blocked, null);
}

internal sealed record EnrolmentView(string Secret, string ProvisioningUri);

/// <summary>How staff appear as actors in the audit log and in the API (<c>console:&lt;user&gt;</c>).</summary>
internal static class StaffActor
{
    public static string Of(string userName) => "console:" + userName;
}
