namespace Banyan.Credit.Contracts;

/// <summary>
/// Read access to stored credit decisions for other modules: lending books a loan only for an
/// application the credit module approved, and within the limit it offered.
/// </summary>
public interface ICreditDecisions
{
    /// <summary>The decision stored for <paramref name="applicationId"/> (the id <c>POST /v1/credit/applications</c> returned), or <see langword="null"/>.</summary>
    CreditDecisionSummary? Find(string applicationId);
}

/// <summary>What another module needs to know about a credit decision.</summary>
/// <param name="ApplicationId">The decision's id.</param>
/// <param name="Decision"><c>approve</c>, <c>decline</c> or <c>refer</c>.</param>
/// <param name="Limit">The approved limit in minor units (null when not approved).</param>
/// <param name="PriceBps">Offered price in basis points over the base rate, if any.</param>
/// <param name="ModelVersion">The registry model version that decided.</param>
/// <param name="DecidedAt">When the decision was made.</param>
public sealed record CreditDecisionSummary(string ApplicationId, string Decision, long? Limit, int? PriceBps, string ModelVersion, DateTimeOffset DecidedAt)
{
    /// <summary>Whether the application was approved.</summary>
    public bool Approved => Decision == "approve";
}
