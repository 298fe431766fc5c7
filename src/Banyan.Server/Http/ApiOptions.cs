namespace Banyan.Server.Http;

/// <summary>Configuration section <c>Banyan:Api</c>.</summary>
internal sealed class ApiOptions
{
    public const string Section = "Banyan:Api";

    /// <summary>Default request-body limit for endpoints that do not set their own.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long an Idempotency-Key is remembered.</summary>
    public int IdempotencyTtlHours { get; set; } = 24;

    /// <summary>Largest response stored for replay; bigger responses are not replayable and release their key.</summary>
    public int IdempotencyMaxStoredResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>After this, an unfinished request's key is considered abandoned (crashed process) and may be retried.</summary>
    public int IdempotencyLockSeconds { get; set; } = 60;
}
