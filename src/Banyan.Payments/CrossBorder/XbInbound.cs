using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder.Iso;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.CrossBorder;

/// <summary>
/// Messages from correspondents: pacs.002 status reports move outgoing payments to <c>credited</c> or
/// <c>rejected</c>; pacs.008 credits a customer account from the nostro of its currency (idempotent by UETR).
/// A message is checked completely before anything changes: one bad transaction rejects the whole message.
/// </summary>
internal sealed class XbInbound(LedgerEngine ledger, IServiceScopeFactory scopes, CrossBorderClock clock, XbPayments payments, ICustomerAccounts accounts) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    public async Task<InboundResult> ApplyStatusReportAsync(Pacs002 report, CancellationToken ct)
    {
        // One report at a time: the checks and the transitions they allow must see the same state.
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var targets = await CheckStatusReportAsync(db, report, ct);
            var items = new List<InboundItem>();
            foreach (var (tx, payment, quote) in targets)
            {
                await payments.ApplyStatusAsync(db, payment, quote, tx.Status, tx.ReasonCode);
                await db.SaveChangesAsync(CancellationToken.None);
                items.Add(new InboundItem(payment.Uetr, payment.Status, payment.Reason));
            }

            return new InboundResult("pacs.002.001.10", report.MessageId, items);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<InboundResult> ReceiveCreditsAsync(Pacs008 message, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var checkedTxs = await CheckCreditsAsync(message, ct);
            var items = new List<InboundItem>();
            foreach (var (tx, account) in checkedTxs)
            {
                items.Add(await CreditAsync(message, tx, account, ct));
            }

            return new InboundResult("pacs.008.001.08", message.MessageId, items);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Settles inbound credits a crash left <c>pending</c>: posted → credited, otherwise post now (the correspondent has paid).</summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        foreach (var row in await db.Set<XbInboundRow>().Where(r => r.Status == "pending").ToListAsync(ct))
        {
            await PostAsync(db, row);
        }
    }

    private async Task<List<(Pacs002Tx, XbPaymentRow, XbQuoteRow)>> CheckStatusReportAsync(DbContext db, Pacs002 report, CancellationToken ct)
    {
        var errors = new List<IsoError>();
        var targets = new List<(Pacs002Tx, XbPaymentRow, XbQuoteRow)>();
        for (var i = 0; i < report.Transactions.Count; i++)
        {
            var tx = report.Transactions[i];
            var path = $"/Document/FIToFIPmtStsRpt/TxInfAndSts[{i + 1}]";
            var payment = await db.Set<XbPaymentRow>().FirstOrDefaultAsync(p => p.Uetr == tx.OriginalUetr, ct);
            var problem = payment is null ? "no outgoing payment has this UETR"
                : targets.Any(t => t.Item2.Id == payment.Id) ? "this UETR appears twice in the report"
                : payment.Status is XbStatus.Initiated or XbStatus.FxLocked ? $"the payment has not been sent (status {payment.Status})"
                : (payment.Status, tx.Status) is (XbStatus.Credited, "RJCT") or (XbStatus.Rejected, "ACSC" or "ACCC")
                    ? $"the payment is already {payment.Status}; a {tx.Status} report contradicts it" : null;
            if (problem is not null)
            {
                errors.Add(new IsoError(path + (payment is null ? "/OrgnlUETR" : "/TxSts"), problem));
                continue;
            }

            targets.Add((tx, payment!, await db.Set<XbQuoteRow>().AsNoTracking().FirstAsync(q => q.Id == payment!.QuoteId, ct)));
        }

        return errors.Count > 0 ? throw new IsoInvalidException(errors) : targets;
    }

    private async Task<List<(Pacs008Tx, CustomerAccount)>> CheckCreditsAsync(Pacs008 message, CancellationToken ct)
    {
        var errors = new List<IsoError>();
        var result = new List<(Pacs008Tx, CustomerAccount)>();
        for (var i = 0; i < message.Transactions.Count; i++)
        {
            var tx = message.Transactions[i];
            var path = $"/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[{i + 1}]";
            var account = IsoText.TryLedgerId(tx.CreditorAccount, out var id) ? await accounts.FindAsync(id, ct) : null;
            if (account is null)
            {
                errors.Add(new IsoError(path + "/CdtrAcct/Id/Othr/Id", "not a customer account of this bank (Othr/Id = ledger account id, 32 hex digits)"));
            }
            else if (account.Currency != tx.Settlement.Currency)
            {
                errors.Add(new IsoError(path + "/IntrBkSttlmAmt/@Ccy", $"the creditor account is in {account.Currency.Code}"));
            }
            else if (result.Any(r => r.Item1.Uetr == tx.Uetr))
            {
                errors.Add(new IsoError(path + "/PmtId/UETR", "this UETR appears twice in the message"));
            }
            else
            {
                result.Add((tx, account));
            }
        }

        return errors.Count > 0 ? throw new IsoInvalidException(errors) : result;
    }

    private async Task<InboundItem> CreditAsync(Pacs008 message, Pacs008Tx tx, CustomerAccount account, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = await db.Set<XbInboundRow>().FirstOrDefaultAsync(r => r.Uetr == tx.Uetr, ct);
        if (row is null)
        {
            row = new XbInboundRow
            {
                Uetr = tx.Uetr, MessageId = message.MessageId, CreditAccountId = account.AccountId.ToString(CultureInfo.InvariantCulture),
                Ledger = (int)account.Currency.Ledger, Amount = tx.Settlement.Minor, DebtorName = tx.DebtorName ?? "", Status = "pending",
                ReceivedAtUnixMs = clock.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            db.Add(row);
            await db.SaveChangesAsync(ct);
        }
        else if (row.Amount != tx.Settlement.Minor || row.CreditAccountId != account.AccountId.ToString(CultureInfo.InvariantCulture))
        {
            return new InboundItem(tx.Uetr, "duplicate_conflict", "A different credit with this UETR was already received; ignored.");
        }

        await PostAsync(db, row);
        return new InboundItem(row.Uetr, row.Status, row.Reason);
    }

    private async Task PostAsync(DbContext db, XbInboundRow row)
    {
        if (row.Status != "pending")
        {
            return;
        }

        Platform.Money.Currencies.TryGetByLedger((uint)row.Ledger, out var currency);
        var transfer = new Transfer
        {
            Id = XbChart.InboundTransfer(row.Id), DebitAccountId = XbChart.Nostro(currency),
            CreditAccountId = UInt128.Parse(row.CreditAccountId, CultureInfo.InvariantCulture), Amount = checked((UInt128)row.Amount),
            Ledger = currency.Ledger, Code = XbCodes.InboundCredit, UserData128 = XbChart.UetrData(Guid.Parse(row.Uetr)), UserData64 = checked((ulong)row.Id),
        };
        var result = (await ledger.CreateTransfersAsync(new[] { transfer }, CancellationToken.None))[0];
        (row.Status, row.Reason) = result is CreateTransferResult.Created or CreateTransferResult.Exists ? ("credited", null) : ("rejected", result.Name());
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
