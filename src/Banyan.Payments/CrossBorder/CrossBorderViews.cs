using System.Globalization;
using Banyan.Ledger;
using Banyan.Platform.Money;

namespace Banyan.Payments.CrossBorder;

/// <summary>Body of <c>POST /v1/payments/cross-border/quotes</c>.</summary>
internal sealed record QuoteRequestBody(
    string DebitAccountId, string DestinationCountry, CreditorBody Creditor, long? SendAmount = null, long? ReceiveAmount = null,
    string? Remittance = null, string? EndToEndId = null);

/// <summary>The beneficiary: name, account (IBAN or other id) and their bank's BIC.</summary>
internal sealed record CreditorBody(string Name, string Account, string AgentBic);

/// <summary>A quote as the customer sees it before accepting: every amount in minor units plus a formatted form.</summary>
internal sealed record QuoteView(
    string Id, string Status, string DebitAccountId, string CustomerTier, string DestinationCountry, string SourceCurrency, string DestinationCurrency,
    long SendAmount, long Fee, long TotalDebit, long ReceiveAmount, string MidRate, string Rate, int SpreadBps, long FxMargin, long TotalCost,
    decimal TotalCostPercent, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset ExpectedDelivery, string RatesSource,
    CreditorBody Creditor, string? Remittance, string EndToEndId, string Summary)
{
    public static QuoteView Of(XbQuoteRow q, DateTimeOffset now, bool accepted)
    {
        var (src, dst) = (XbPayments.Source(q), XbPayments.Destination(q));
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(q.ExpiresAtUnixMs);
        var status = accepted ? "accepted" : now >= expires ? "expired" : "open";
        var cost = checked(q.Fee + q.Margin);
        var summary = $"Send {src.Format(q.Principal)} + fee {src.Format(q.Fee)} = {src.Format(q.Principal + q.Fee)}; {q.CreditorName} receives {dst.Format(q.Delivered)} " +
            $"at {q.Rate} (mid {q.MidRate}); total cost {src.Format(cost)} ({CostReport.Percent(cost, q.Principal)}%); expected by {DateTimeOffset.FromUnixTimeMilliseconds(q.ExpectedDeliveryUnixMs):yyyy-MM-dd HH:mm} UTC.";
        return new QuoteView(
            q.Id, status, q.DebitAccountId, q.Tier, q.Country, src.Code, dst.Code, q.Principal, q.Fee, checked(q.Principal + q.Fee), q.Delivered,
            q.MidRate, q.Rate, q.SpreadBps, q.Margin, cost, CostReport.Percent(cost, q.Principal), DateTimeOffset.FromUnixTimeMilliseconds(q.CreatedAtUnixMs), expires,
            DateTimeOffset.FromUnixTimeMilliseconds(q.ExpectedDeliveryUnixMs), q.RatesSource, new CreditorBody(q.CreditorName, q.CreditorAccount, q.CreditorAgentBic),
            q.Remittance, q.EndToEndId, summary);
    }
}

/// <summary>One step of the timeline.</summary>
internal sealed record TimelineEntry(string Status, DateTimeOffset At, string Detail);

/// <summary>One ledger transfer of the payment and whether the ledger holds it.</summary>
internal sealed record LegView(string Leg, string LedgerTransferId, string DebitAccountId, string CreditAccountId, long Amount, string Currency, int Code, bool Posted);

/// <summary>G20 check per payment: cost (fee + FX margin) in % of the amount sent (target ≤ 1%) and end-to-end time (target ≤ 1 hour).</summary>
internal sealed record CostReport(
    string Currency, long Fee, long FxMargin, long TotalCost, decimal FeePercent, decimal TotalCostPercent, bool MeetsG20Cost,
    long? EndToEndSeconds, bool? MeetsG20Speed)
{
    public const decimal G20CostPercent = 1m;
    public const long G20Seconds = 3_600;

    public static CostReport Of(XbPaymentRow p, XbQuoteRow q)
    {
        var total = checked(q.Fee + q.Margin);
        long? seconds = p.Status == XbStatus.Credited && p.FinishedAtUnixMs is { } done ? (done - p.CreatedAtUnixMs) / 1_000 : null;
        var percent = Percent(total, q.Principal);
        return new CostReport(XbPayments.Source(q).Code, q.Fee, q.Margin, total, Percent(q.Fee, q.Principal), percent, percent <= G20CostPercent, seconds, seconds is { } s ? s <= G20Seconds : null);
    }

    /// <summary>A share in percent with four decimals (a ratio for people, not money).</summary>
    public static decimal Percent(long part, long whole) => whole == 0 ? 0 : Math.Round(part * 100m / whole, 4, MidpointRounding.AwayFromZero);
}

/// <summary>A cross-border payment tracked by UETR.</summary>
internal sealed record PaymentView(
    string Uetr, string Status, string? Reason, string? Detail, DateTimeOffset CreatedAt, DateTimeOffset? CreditedAt, QuoteView Quote,
    IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<LegView> Legs, CostReport Report);

/// <summary>The outcome of a pain.001 upload: one payment per credit transfer, in message order.</summary>
internal sealed record Pain001Result(string MessageId, int Transactions, IReadOnlyList<PaymentView> Payments);

/// <summary>What an inbound message did.</summary>
internal sealed record InboundResult(string MessageType, string MessageId, IReadOnlyList<InboundItem> Items);

/// <summary>One transaction of an inbound message: the UETR and the resulting status.</summary>
internal sealed record InboundItem(string Uetr, string Status, string? Detail);

/// <summary>A corridor as published.</summary>
internal sealed record CorridorView(
    string Country, string Name, string Currency, string UtcOffset, string CutOff, string Opens, FeeScheduleView Fee, int SpreadBps,
    int DeliveryMinutes, string Scheme, string CorrespondentBic)
{
    public static CorridorView Of(Corridor c) => new(
        c.Country, c.Name, c.Currency.Code, TimeSpan.FromMinutes(c.UtcOffsetMinutes).ToString(c.UtcOffsetMinutes < 0 ? "'-'hh':'mm" : "'+'hh':'mm", CultureInfo.InvariantCulture),
        c.CutOff.ToString("HH:mm", CultureInfo.InvariantCulture), c.Opens.ToString("HH:mm", CultureInfo.InvariantCulture),
        new FeeScheduleView(c.Fee.FixedUsdMinor, c.Fee.Bps, c.Fee.CapUsdMinor), c.SpreadBps, c.DeliveryMinutes, c.Scheme, c.CorrespondentBic);
}

/// <summary>Fee schedule: fixed + bps of the principal, capped; fixed and cap in US cents.</summary>
internal sealed record FeeScheduleView(long FixedUsdMinor, int Bps, long CapUsdMinor);

/// <summary>The corridor table with its labelling.</summary>
internal sealed record CorridorList(bool Illustrative, string Note, IReadOnlyList<CorridorView> Corridors);

/// <summary>Legs of a payment for display.</summary>
internal static class LegViews
{
    public static LegView[] Of(Transfer[] chain, HashSet<UInt128> posted) => chain.Select(t => new LegView(
        ResultNames.ToSnakeCase(((XbLeg)(byte)(ulong)(t.Id & 7)).ToString()), t.Id.ToString(CultureInfo.InvariantCulture), t.DebitAccountId.ToString(CultureInfo.InvariantCulture),
        t.CreditAccountId.ToString(CultureInfo.InvariantCulture), checked((long)t.Amount), Currencies.TryGetByLedger(t.Ledger, out var c) ? c.Code : "?", t.Code,
        posted.Contains(t.Id))).ToArray();
}
