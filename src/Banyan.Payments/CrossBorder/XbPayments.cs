using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.CrossBorder;

/// <summary>Statuses of a cross-border payment's timeline (docs/payments-cross-border.md).</summary>
internal static class XbStatus
{
    public const string Initiated = "initiated";
    public const string Screening = "screening";
    public const string FxLocked = "fx_locked";
    public const string Sent = "sent";
    public const string Credited = "credited";
    public const string Rejected = "rejected";
    public const string Update = "status_report";
}

/// <summary>Why an accept did not produce a payment.</summary>
internal enum AcceptRefusal
{
    None,
    NotFound,
    Expired,
}

/// <summary>
/// Accepts quotes and carries payments through their timeline with exactly-once ledger effects: the payment row
/// is written <c>initiated</c> first (its id is the sequence of its legs' transfer ids), screening runs, the
/// linked FX chain is posted (customer → FX position and fee income in the payer's currency; FX position → nostro
/// in the beneficiary's), then the payment is released (<c>sent</c>, pacs.008). A status report credits it or
/// rejects it; a rejection after sending posts the linked return chain. Start-up finishes what a crash interrupted.
/// </summary>
internal sealed class XbPayments(LedgerEngine ledger, IServiceScopeFactory scopes, CrossBorderClock clock, IReleaseScreening screening)
{
    private const int Stripes = 64;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<(XbPaymentRow? Payment, AcceptRefusal Refusal)> AcceptAsync(string initiator, string quoteId, CancellationToken ct)
    {
        var gate = _stripes[Math.Abs(StringComparer.Ordinal.GetHashCode(quoteId) % Stripes)];
        await gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var quote = await db.Set<XbQuoteRow>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId, ct);
            if (quote is null || quote.Initiator != initiator)
            {
                return (null, AcceptRefusal.NotFound);
            }

            var payment = await db.Set<XbPaymentRow>().FirstOrDefaultAsync(p => p.QuoteId == quoteId, ct);
            if (payment is null)
            {
                if (Now() >= quote.ExpiresAtUnixMs)
                {
                    return (null, AcceptRefusal.Expired);
                }

                payment = new XbPaymentRow { QuoteId = quoteId, Uetr = Guid.NewGuid().ToString(), Status = XbStatus.Initiated, CreatedAtUnixMs = Now() };
                db.Add(payment);
                await db.SaveChangesAsync(ct);
                Event(db, payment, XbStatus.Initiated, $"quote {quote.Id} accepted at rate {quote.Rate}");
            }

            await ProgressAsync(db, payment, quote, resuming: false);
            await db.SaveChangesAsync(CancellationToken.None); // the ledger has decided: record it even if the caller gave up
            return (payment, AcceptRefusal.None);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Finishes payments a crash left <c>initiated</c> or <c>fx_locked</c>; an unposted one was never acknowledged and is rejected.</summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var open = await db.Set<XbPaymentRow>().Where(p => p.Status == XbStatus.Initiated || p.Status == XbStatus.FxLocked).ToListAsync(ct);
        foreach (var payment in open)
        {
            var quote = await db.Set<XbQuoteRow>().AsNoTracking().FirstAsync(q => q.Id == payment.QuoteId, ct);
            await ProgressAsync(db, payment, quote, resuming: true);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Applies a pacs.002 transaction status to the payment with this UETR (caller has validated the transition and saves).</summary>
    public async Task ApplyStatusAsync(DbContext db, XbPaymentRow payment, XbQuoteRow quote, string txStatus, string? reason)
    {
        switch (txStatus)
        {
            case "ACSC" or "ACCC" when payment.Status == XbStatus.Sent:
                payment.Status = XbStatus.Credited;
                payment.FinishedAtUnixMs = Now();
                Event(db, payment, XbStatus.Credited, $"pacs.002 {txStatus}: credited to the beneficiary");
                break;
            case "RJCT" when payment.Status == XbStatus.Sent:
                await ReturnAsync(db, payment, quote, reason);
                break;
            case "ACSP" or "ACTC" or "PDNG" or "ACWC" or "ACSC" or "ACCC" or "RJCT":
                Event(db, payment, XbStatus.Update, $"pacs.002 {txStatus}{(reason is null ? "" : " " + reason)} (status stays {payment.Status})");
                break;
            default:
                throw new InvalidOperationException($"Unhandled transaction status {txStatus}.");
        }
    }

    public static Currency Source(XbQuoteRow q) => CurrencyOf(q.SourceLedger);

    public static Currency Destination(XbQuoteRow q) => CurrencyOf(q.DestinationLedger);

    public static Transfer[] OutboundChain(XbPaymentRow p, XbQuoteRow q)
    {
        var (src, dst) = (Source(q), Destination(q));
        var customer = UInt128.Parse(q.DebitAccountId, CultureInfo.InvariantCulture);
        var legs = new List<Transfer> { Leg(p, XbLeg.Principal, customer, XbChart.FxPosition(src), q.Principal, src, XbCodes.Principal) };
        if (q.Fee > 0)
        {
            legs.Add(Leg(p, XbLeg.Fee, customer, XbChart.FeeIncome(src), q.Fee, src, XbCodes.Fee));
        }

        legs.Add(Leg(p, XbLeg.Delivery, XbChart.FxPosition(dst), XbChart.Nostro(dst), q.Delivered, dst, XbCodes.Delivery));
        return Linked(legs);
    }

    public static Transfer[] ReturnChain(XbPaymentRow p, XbQuoteRow q)
    {
        var (src, dst) = (Source(q), Destination(q));
        var customer = UInt128.Parse(q.DebitAccountId, CultureInfo.InvariantCulture);
        var legs = new List<Transfer>
        {
            Leg(p, XbLeg.ReturnDelivery, XbChart.Nostro(dst), XbChart.FxPosition(dst), q.Delivered, dst, XbCodes.ReturnDelivery),
            Leg(p, XbLeg.ReturnPrincipal, XbChart.FxPosition(src), customer, q.Principal, src, XbCodes.ReturnPrincipal),
        };
        if (q.Fee > 0)
        {
            legs.Add(Leg(p, XbLeg.FeeRefund, XbChart.FeeIncome(src), customer, q.Fee, src, XbCodes.FeeRefund));
        }

        return Linked(legs);
    }

    /// <summary>Posts a linked chain once: a chain whose first leg exists was posted whole (chains are atomic).</summary>
    public async Task<CreateTransferResult> PostChainAsync(Transfer[] chain)
    {
        if ((await ledger.LookupTransfersAsync(new[] { chain[0].Id }, CancellationToken.None)).Length == 1)
        {
            return CreateTransferResult.Exists;
        }

        var results = await ledger.CreateTransfersAsync(chain, CancellationToken.None);
        if (results.All(r => r == CreateTransferResult.Created))
        {
            return CreateTransferResult.Created;
        }

        if (results.Contains(CreateTransferResult.Exists))
        {
            // Raced with another poster of the same chain: the lookup decides.
            return (await ledger.LookupTransfersAsync(new[] { chain[0].Id }, CancellationToken.None)).Length == 1 ? CreateTransferResult.Exists : results.First(r => r != CreateTransferResult.LinkedEventFailed);
        }

        return results.First(r => r is not (CreateTransferResult.LinkedEventFailed or CreateTransferResult.Created));
    }

    /// <summary>Adds a timeline step; it is saved with the next status change (one commit per step of the flow, not per event).</summary>
    public void Event(DbContext db, XbPaymentRow payment, string status, string detail) =>
        db.Add(new XbEventRow { PaymentId = payment.Id, Status = status, AtUnixMs = Now(), Detail = detail.Length <= 400 ? detail : detail[..400] });

    private async Task ProgressAsync(DbContext db, XbPaymentRow payment, XbQuoteRow quote, bool resuming)
    {
        if (payment.Status == XbStatus.Initiated)
        {
            await LockFxAsync(db, payment, quote, resuming);
        }

        if (payment.Status == XbStatus.FxLocked)
        {
            payment.Status = XbStatus.Sent;
            payment.SentAtUnixMs = Now();
            Event(db, payment, XbStatus.Sent, $"released: pacs.008 {Iso.Pacs008Builder.MessageId(payment)} with UETR {payment.Uetr}");
        }
    }

    private async Task LockFxAsync(DbContext db, XbPaymentRow payment, XbQuoteRow quote, bool resuming)
    {
        var chain = OutboundChain(payment, quote);
        var posted = (await ledger.LookupTransfersAsync(new[] { chain[0].Id }, CancellationToken.None)).Length == 1;
        if (!posted && resuming)
        {
            Reject(db, payment, "interrupted", "The server stopped before the payment was posted; nothing moved.");
            return;
        }

        if (!posted)
        {
            var decision = await screening.ScreenAsync(Subject(payment, quote), CancellationToken.None);
            Event(db, payment, XbStatus.Screening, decision.Detail);
            if (!decision.Release)
            {
                Reject(db, payment, "screening_refused", decision.Detail);
                return;
            }
        }

        var result = posted ? CreateTransferResult.Exists : await PostChainAsync(chain);
        if (result is CreateTransferResult.Created or CreateTransferResult.Exists)
        {
            payment.Status = XbStatus.FxLocked;
            var (src, dst) = (Source(quote), Destination(quote));
            Event(db, payment, XbStatus.FxLocked, $"{src.Format(quote.Principal)} + fee {src.Format(quote.Fee)} converted at {quote.Rate} to {dst.Format(quote.Delivered)}");
            return;
        }

        var (reason, detail) = result == CreateTransferResult.ExceedsCredits
            ? ("insufficient_funds", "The payer's available balance is below the amount plus fee.")
            : (result.Name(), "The ledger refused the payment: " + result.Name() + ".");
        Reject(db, payment, reason, detail);
    }

    private async Task ReturnAsync(DbContext db, XbPaymentRow payment, XbQuoteRow quote, string? reason)
    {
        var result = await PostChainAsync(ReturnChain(payment, quote));
        if (result is not (CreateTransferResult.Created or CreateTransferResult.Exists))
        {
            // The bank's own accounts have no limits, so only a broken ledger gets here: keep the payment sent and say so.
            throw new InvalidOperationException($"The ledger refused the return of payment {payment.Uetr}: {result.Name()}.");
        }

        Reject(db, payment, "rejected_by_correspondent", $"pacs.002 RJCT{(reason is null ? "" : " " + reason)}: principal and fee returned to the payer");
    }

    private void Reject(DbContext db, XbPaymentRow payment, string reason, string detail)
    {
        (payment.Status, payment.Reason, payment.Detail, payment.FinishedAtUnixMs) = (XbStatus.Rejected, reason, detail, Now());
        Event(db, payment, XbStatus.Rejected, $"{reason}: {detail}");
    }

    private static ScreeningSubject Subject(XbPaymentRow p, XbQuoteRow q) =>
        new(p.Uetr, q.DebtorName, q.DebitAccountId, q.CreditorName, q.CreditorAccount, q.CreditorAgentBic, q.Country, Source(q).Code, q.Principal);

    private static Transfer Leg(XbPaymentRow p, XbLeg leg, UInt128 debit, UInt128 credit, long amount, Currency c, ushort code) => new()
    {
        Id = XbChart.OutboundTransfer(p.Id, leg),
        DebitAccountId = debit,
        CreditAccountId = credit,
        Amount = checked((UInt128)amount),
        Ledger = c.Ledger,
        Code = code,
        UserData128 = XbChart.UetrData(Guid.Parse(p.Uetr)),
        UserData64 = checked((ulong)p.Id),
    };

    private static Transfer[] Linked(List<Transfer> legs)
    {
        var chain = legs.ToArray();
        for (var i = 0; i < chain.Length - 1; i++)
        {
            chain[i].Flags |= TransferFlags.Linked;
        }

        return chain;
    }

    private static Currency CurrencyOf(int ledger) =>
        Currencies.TryGetByLedger((uint)ledger, out var c) ? c : throw new InvalidOperationException($"Ledger {ledger} is not a known currency.");

    private long Now() => clock.Time.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>Opens the cross-border bank accounts in every currency and finishes payments a crash interrupted, before requests arrive.</summary>
internal sealed class CrossBorderStartup(LedgerEngine ledger, XbPayments payments, XbInbound inbound, FxRateSource rates) : Microsoft.Extensions.Hosting.IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = rates.Current; // a bad configured rates file fails start-up, not the first quote
        if (ledger.Cluster.Role is LedgerRole.Standby or LedgerRole.Fenced)
        {
            return; // the leader opens the accounts and resumes payments; a standby refuses writes
        }

        var accounts = XbChart.BankAccounts();
        var results = await ledger.CreateAccountsAsync(accounts, cancellationToken);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is not (CreateAccountResult.Created or CreateAccountResult.Exists))
            {
                throw new InvalidOperationException($"The ledger refused cross-border account {accounts[i].Id}: {results[i].Name()}.");
            }
        }

        await payments.ResumeAsync(cancellationToken);
        await inbound.ResumeAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
