using System.Globalization;
using System.Xml.Linq;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder.Iso;

namespace Banyan.Payments.CrossBorder;

/// <summary>
/// pain.001 → payments: the whole message is validated (structure, then debtor accounts, corridors, currencies and
/// pricing of every transaction) before the first quote is stored; then each credit transfer is quoted and accepted.
/// The instructed amount is a send amount in the debtor account's currency or a receive amount in the corridor's.
/// Resubmitting the same message returns the same payments (quotes are keyed by message, batch and end-to-end id).
/// </summary>
internal sealed class XbPain001(XbQuotes quotes, XbPayments payments, XbTracking tracking, ICustomerAccounts accounts, CorridorTable corridors)
{
    public async Task<Pain001Result> SubmitAsync(string initiator, XDocument doc, CancellationToken ct)
    {
        var message = Pain001Builder.Read(doc);
        var inputs = await CheckAsync(initiator, message, ct);
        var views = new List<PaymentView>();
        foreach (var input in inputs)
        {
            var quote = await quotes.CreateAsync(input, ct);
            var (payment, refusal) = await payments.AcceptAsync(initiator, quote.Id, ct);
            if (payment is null)
            {
                throw new InvalidOperationException($"A quote created for pain.001 {message.MessageId} could not be accepted: {refusal}.");
            }

            views.Add((await tracking.ViewAsync(payment.Uetr, ct))!);
        }

        return new Pain001Result(message.MessageId, inputs.Count, views);
    }

    private async Task<List<QuoteInput>> CheckAsync(string initiator, Pain001 message, CancellationToken ct)
    {
        var errors = new List<IsoError>();
        var inputs = new List<QuoteInput>();
        foreach (var batch in message.Batches)
        {
            var account = IsoText.TryLedgerId(batch.DebtorAccount, out var id) ? await accounts.FindAsync(id, ct) : null;
            if (account is null)
            {
                errors.Add(new IsoError(batch.Path + "/DbtrAcct/Id/Othr/Id", "not a customer account of this bank (Othr/Id = ledger account id, 32 hex digits)"));
                continue;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tx in batch.Transactions)
            {
                var input = Input(initiator, message, batch, tx, account, seen, errors);
                if (input is not null && await PreviewAsync(input, tx, errors, ct))
                {
                    inputs.Add(input);
                }
            }
        }

        return errors.Count > 0 ? throw new IsoInvalidException(errors) : inputs;
    }

    private QuoteInput? Input(string initiator, Pain001 message, Pain001Batch batch, Pain001Tx tx, CustomerAccount account, HashSet<string> seen, List<IsoError> errors)
    {
        if (!seen.Add(tx.EndToEndId))
        {
            errors.Add(new IsoError(tx.Path + "/PmtId/EndToEndId", "repeated within the payment information block"));
            return null;
        }

        if (!corridors.TryGet(tx.CreditorCountry, out var corridor))
        {
            errors.Add(new IsoError(tx.Path + "/Cdtr/PstlAdr/Ctry", "no corridor to this country"));
            return null;
        }

        var send = tx.Amount.Currency == account.Currency;
        if (!send && tx.Amount.Currency != corridor.Currency)
        {
            errors.Add(new IsoError(tx.Path + "/Amt/InstdAmt/@Ccy", $"must be the debtor account's currency ({account.Currency.Code}) or the creditor country's ({corridor.Currency.Code})"));
            return null;
        }

        var key = $"pain001:{message.MessageId}:{batch.PaymentInfoId}:{tx.EndToEndId}";
        return new QuoteInput(initiator, account.AccountId, corridor.Country, send ? tx.Amount.Minor : null, send ? null : tx.Amount.Minor,
            tx.CreditorName, tx.CreditorAccount, tx.CreditorAgentBic, tx.Remittance, tx.EndToEndId, key);
    }

    private async Task<bool> PreviewAsync(QuoteInput input, Pain001Tx tx, List<IsoError> errors, CancellationToken ct)
    {
        try
        {
            await quotes.PreviewAsync(input, ct);
            return true;
        }
        catch (XbInvalidException e)
        {
            foreach (var (field, problem) in e.Errors)
            {
                var path = field switch
                {
                    "send_amount" or "receive_amount" => "/Amt/InstdAmt",
                    "creditor.name" => "/Cdtr/Nm",
                    "creditor.account" => "/CdtrAcct/Id",
                    "creditor.agent_bic" => "/CdtrAgt/FinInstnId/BICFI",
                    "remittance" => "/RmtInf/Ustrd",
                    "end_to_end_id" => "/PmtId/EndToEndId",
                    _ => "",
                };
                errors.Add(new IsoError(tx.Path + path, problem));
            }

            return false;
        }
    }
}
