namespace Banyan.Ledger.Client;

/// <summary>
/// The host refused a request (an RFC 9457 problem) or could not be reached. For a create request
/// that failed this way the events were not applied when <see cref="StatusCode"/> is a 4xx; on a
/// transport failure the outcome is unknown, and re-sending the same ids is safe: an event that was
/// applied answers <c>exists</c>.
/// </summary>
public sealed class LedgerClientException : Exception
{
    /// <summary>Creates an exception for a problem document.</summary>
    public LedgerClientException(string message, int? statusCode = null, string? problemType = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        ProblemType = problemType;
    }

    /// <summary>The HTTP status, or null when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>The problem's <c>type</c> URI, when the host sent one.</summary>
    public string? ProblemType { get; }
}
