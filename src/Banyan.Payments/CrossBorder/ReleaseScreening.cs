namespace Banyan.Payments.CrossBorder;

/// <summary>What release screening decided about a payment.</summary>
/// <param name="Release">Whether the payment may be released to the correspondent network.</param>
/// <param name="Detail">What the timeline records (e.g. "screening: not configured", "screening: clear", a hit summary).</param>
internal readonly record struct ScreeningDecision(bool Release, string Detail);

/// <summary>The parties and amount a screening looks at.</summary>
internal sealed record ScreeningSubject(string Uetr, string DebtorName, string DebtorAccount, string CreditorName, string CreditorAccount, string CreditorAgentBic, string Country, string Currency, long Amount);

/// <summary>
/// The compliance hook called before any money moves for a cross-border payment. AML sanctions screening
/// (<c>Banyan.Aml.Contracts.ISanctionsScreening</c>) is wired here by the lead; until then
/// <see cref="UnconfiguredScreening"/> releases and says so on the timeline.
/// </summary>
internal interface IReleaseScreening
{
    ValueTask<ScreeningDecision> ScreenAsync(ScreeningSubject subject, CancellationToken cancellationToken);
}

/// <summary>The default: no screening service is configured; every payment is released and its timeline records that.</summary>
internal sealed class UnconfiguredScreening : IReleaseScreening
{
    public ValueTask<ScreeningDecision> ScreenAsync(ScreeningSubject subject, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ScreeningDecision(true, "screening: not configured"));
}
