using Banyan.Aml.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Payments.CrossBorder;

/// <summary>
/// Release screening through the AML module's sanctions screening (issue 6 "compliance hook"): the
/// debtor and the creditor are screened before any money moves; a hit on either refuses the payment
/// and the timeline names the list entry. When the host has no AML module, or AML has no sanctions list
/// loaded yet, the payment is released unscreened and the timeline says so — unless
/// <c>Banyan:Payments:CrossBorder:RequireSanctionsScreening</c> is true, which refuses instead (fail closed).
/// </summary>
internal sealed class AmlReleaseScreening(IServiceProvider services, IConfiguration configuration, ILogger<AmlReleaseScreening> logger) : IReleaseScreening
{
    public async ValueTask<ScreeningDecision> ScreenAsync(ScreeningSubject subject, CancellationToken cancellationToken)
    {
        var required = configuration.GetValue("Banyan:Payments:CrossBorder:RequireSanctionsScreening", false);
        if (services.GetService<ISanctionsScreening>() is not { } sanctions)
        {
            return Unscreened(required, "no AML module in this host");
        }

        try
        {
            foreach (var (role, name, country) in new[] { ("debtor", subject.DebtorName, "CN"), ("creditor", subject.CreditorName, subject.Country) })
            {
                var result = await sanctions.ScreenAsync(new ScreeningRequest(name, country), cancellationToken);
                if (result.Hit)
                {
                    return new ScreeningDecision(false, $"screening: {role} '{name}' matches '{result.EntryName}' on {result.List} (score {result.Score:F2} ≥ {result.Threshold:F2}, list version {result.ListVersion})");
                }
            }

            return new ScreeningDecision(true, "screening: clear (debtor and creditor)");
        }
        catch (InvalidOperationException e)
        {
            // AML fails closed when it has no list; releasing is this hook's decision, made explicit on the timeline.
            logger.LogWarning("Cross-border release screening unavailable: {Reason}", e.Message);
            return Unscreened(required, "no sanctions list loaded");
        }
    }

    private static ScreeningDecision Unscreened(bool required, string why) => required
        ? new ScreeningDecision(false, $"screening: required but unavailable ({why})")
        : new ScreeningDecision(true, $"screening: not performed ({why}); released unscreened");
}
