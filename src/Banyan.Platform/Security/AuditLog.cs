namespace Banyan.Platform.Security;

/// <summary>
/// The platform's append-only audit log: every authentication, consent change, partner change, staff
/// action and blocked call is one entry. The host stores entries in <c>platform_audit_log</c> with a
/// SHA-256 hash chain (each entry's hash covers the previous one), so an edited or deleted row is
/// detectable; operators read it at <c>GET /v1/audit</c> (scope <c>admin</c>). docs/security.md.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends one entry; returns its sequence number. The entry is durable when the task completes.</summary>
    ValueTask<long> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);
}

/// <summary>One audited event. Never put secrets, tokens, passwords, codes or full card numbers here.</summary>
/// <param name="Category">Area, e.g. <c>authentication</c>, <c>consent</c>, <c>partner</c>, <c>gateway</c>, <c>aml_case</c>.</param>
/// <param name="Action">What happened, e.g. <c>login_succeeded</c>, <c>consent_revoked</c>, <c>call_blocked</c>.</param>
/// <param name="Actor">Who did it: a customer, staff or client id (or <c>system</c>).</param>
/// <param name="Subject">What it was done to (consent id, partner id, case id), if anything.</param>
/// <param name="Outcome"><c>succeeded</c>, <c>failed</c>, <c>blocked</c>, <c>step_up</c>…</param>
/// <param name="Details">Small key/value context (reasons, source address, region); at most 32 pairs, values ≤ 512 characters.</param>
public sealed record AuditEntry(
    string Category,
    string Action,
    string Actor,
    string? Subject,
    string Outcome,
    IReadOnlyDictionary<string, string>? Details = null);

/// <summary>
/// The zero-trust access risk engine's contract (issue 5 item 8): a module that authenticates people or
/// partners asks it about each sensitive request and obeys the answer. Optional: resolve it with
/// <c>GetService</c>; when no module provides it, access decisions rest on authentication alone.
/// </summary>
public interface IAccessRiskEngine
{
    /// <summary>Scores one access attempt and decides allow, step-up (ask for a second factor) or block.</summary>
    ValueTask<AccessDecision> AssessAsync(AccessAttempt attempt, CancellationToken cancellationToken);
}

/// <summary>Who is asking.</summary>
public enum PrincipalKind
{
    /// <summary>A bank customer (open banking, embedded onboarding).</summary>
    Customer = 1,

    /// <summary>Bank staff using the console.</summary>
    Staff = 2,

    /// <summary>A third-party provider's client.</summary>
    Partner = 3,
}

/// <summary>One access attempt as the risk engine sees it.</summary>
/// <param name="Kind">Customer, staff or partner.</param>
/// <param name="Principal">Stable id of the principal.</param>
/// <param name="Action">What is being attempted, e.g. <c>login</c>, <c>consent_grant</c>, <c>GET /v1/open-banking/accounts</c>.</param>
/// <param name="SourceAddress">Client IP address as text, if known.</param>
/// <param name="DeviceFingerprint">Opaque device fingerprint (hash) from the client, if any.</param>
/// <param name="UserAgent">User-Agent header, if any.</param>
/// <param name="At">When (from the host's TimeProvider).</param>
public readonly record struct AccessAttempt(
    PrincipalKind Kind,
    string Principal,
    string Action,
    string? SourceAddress,
    string? DeviceFingerprint,
    string? UserAgent,
    DateTimeOffset At);

/// <summary>The engine's answer.</summary>
public enum AccessOutcome
{
    /// <summary>Go ahead.</summary>
    Allow = 1,

    /// <summary>Ask for a second factor (TOTP) before going ahead.</summary>
    StepUp = 2,

    /// <summary>Refuse, and alert.</summary>
    Block = 3,
}

/// <summary>A decision with its risk score (0–1) and the reasons behind it, for people to read.</summary>
public sealed record AccessDecision(AccessOutcome Outcome, double Score, IReadOnlyList<string> Reasons);
