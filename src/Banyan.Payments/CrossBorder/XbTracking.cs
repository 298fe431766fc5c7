using Banyan.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.CrossBorder;

/// <summary>Reads payments for the API: quote, timeline, the ledger legs (looked up in the ledger) and the G20 report.</summary>
internal sealed class XbTracking(LedgerEngine ledger, IServiceScopeFactory scopes, CrossBorderClock clock)
{
    public async Task<(XbPaymentRow Payment, XbQuoteRow Quote)?> FindAsync(string uetr, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var payment = await db.Set<XbPaymentRow>().AsNoTracking().FirstOrDefaultAsync(p => p.Uetr == uetr, ct);
        if (payment is null)
        {
            return null;
        }

        return (payment, await db.Set<XbQuoteRow>().AsNoTracking().FirstAsync(q => q.Id == payment.QuoteId, ct));
    }

    public async Task<bool> IsAcceptedAsync(string quoteId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<XbPaymentRow>().AnyAsync(p => p.QuoteId == quoteId, ct);
    }

    public async Task<PaymentView?> ViewAsync(string uetr, CancellationToken ct)
    {
        var found = await FindAsync(uetr, ct);
        return found is null ? null : await ViewAsync(found.Value.Payment, found.Value.Quote, ct);
    }

    public async Task<PaymentView> ViewAsync(XbPaymentRow p, XbQuoteRow q, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var events = await db.Set<XbEventRow>().AsNoTracking().Where(e => e.PaymentId == p.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var chain = XbPayments.OutboundChain(p, q).Concat(XbPayments.ReturnChain(p, q)).ToArray();
        var posted = (await ledger.LookupTransfersAsync(chain.Select(t => t.Id).ToArray(), ct)).Select(t => t.Id).ToHashSet();
        // Return legs are shown only once they exist: a payment that was never returned has none.
        var legs = LegViews.Of(chain, posted).Where((l, i) => i < chain.Length - XbPayments.ReturnChain(p, q).Length || l.Posted).ToList();
        return new PaymentView(
            p.Uetr, p.Status, p.Reason, p.Detail, DateTimeOffset.FromUnixTimeMilliseconds(p.CreatedAtUnixMs),
            p.Status == XbStatus.Credited && p.FinishedAtUnixMs is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null,
            QuoteView.Of(q, clock.Time.GetUtcNow(), accepted: true),
            events.Select(e => new TimelineEntry(e.Status, DateTimeOffset.FromUnixTimeMilliseconds(e.AtUnixMs), e.Detail)).ToList(), legs, CostReport.Of(p, q));
    }
}
