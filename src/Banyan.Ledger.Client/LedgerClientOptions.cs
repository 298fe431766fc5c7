namespace Banyan.Ledger.Client;

/// <summary>How a <see cref="LedgerClient"/> reaches and authenticates to a Banyan host.</summary>
public sealed record LedgerClientOptions
{
    /// <summary>The host's base address, e.g. <c>http://127.0.0.1:5080/</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>OAuth2 client id of a confidential client allowed the <c>ledger</c> scope.</summary>
    public required string ClientId { get; init; }

    /// <summary>The client's secret; sent only to the host's <c>/connect/token</c> endpoint.</summary>
    public required string ClientSecret { get; init; }

    /// <summary>Scope requested for the access token.</summary>
    public string Scope { get; init; } = "ledger";

    /// <summary>
    /// Bulk requests the automatic batcher keeps in flight at once (one pooled connection each).
    /// Between 1 and 64.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 4;

    /// <summary>
    /// Single-event calls waiting for a batch; further callers wait for room (back-pressure).
    /// Between 1 and 1,048,576.
    /// </summary>
    public int MaxQueuedEvents { get; init; } = 65_536;

    /// <summary>Timeout for one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
