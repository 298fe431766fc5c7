using Banyan.Payments.Contracts;

namespace Banyan.Payments.Domestic;

/// <summary><see cref="IDomesticTransfers"/>: validates the request and the two customer accounts, then moves the money once.</summary>
internal sealed class DomesticTransfers(ICustomerAccounts accounts, MoneyMover mover) : IDomesticTransfers
{
    public async ValueTask<PaymentOutcome> TransferAsync(DomesticTransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        MoneyMover.CheckRequestId(request.TransferId);
        if (string.IsNullOrWhiteSpace(request.Initiator) || request.Initiator.Length > 128)
        {
            throw new ArgumentException("The initiator is 1–128 characters.", nameof(request));
        }

        if (request.Amount <= 0)
        {
            throw new ArgumentException("The amount must be a positive number of minor units.", nameof(request));
        }

        if (request.DebitAccountId == request.CreditAccountId)
        {
            throw new ArgumentException("Payer and payee accounts must differ.", nameof(request));
        }

        if (request.Reference is { Length: > MoneyMover.MaxReference })
        {
            throw new ArgumentException($"The reference is at most {MoneyMover.MaxReference} characters.", nameof(request));
        }

        var debit = await accounts.FindAsync(request.DebitAccountId, cancellationToken);
        var credit = await accounts.FindAsync(request.CreditAccountId, cancellationToken);
        if (debit is null || credit is null)
        {
            return new PaymentOutcome(PaymentStatus.Rejected, UInt128.Zero, "account_not_found", $"Account {(debit is null ? request.DebitAccountId : request.CreditAccountId)} is not a customer account.");
        }

        if (debit.Currency != credit.Currency)
        {
            return new PaymentOutcome(PaymentStatus.Rejected, UInt128.Zero, "currency_mismatch", $"A domestic transfer stays in one currency ({debit.Currency} → {credit.Currency}); use a cross-border payment.");
        }

        return await mover.TransferAsync(request, debit, credit, cancellationToken);
    }
}
