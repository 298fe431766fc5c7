namespace Banyan.Payments.Contracts;

/// <summary>
/// Domestic transfers between customers' accounts in the same currency, with per-transfer and daily
/// limits, idempotent by the initiator's transfer id (retrying a request returns the first outcome
/// and moves money at most once). Used by the open-banking payment resource and the payments API.
/// </summary>
public interface IDomesticTransfers
{
    /// <summary>Moves money from one customer account to another, or refuses and changes nothing.</summary>
    /// <exception cref="ArgumentException">The request is malformed (empty id, non-positive amount, same account).</exception>
    ValueTask<PaymentOutcome> TransferAsync(DomesticTransferRequest request, CancellationToken cancellationToken);
}

/// <summary>A domestic transfer request.</summary>
/// <param name="Initiator">Who asks (a customer id, partner client id or staff id); part of the idempotency key.</param>
/// <param name="TransferId">The initiator's unique id for this transfer (1–64 characters); retries reuse it.</param>
/// <param name="DebitAccountId">Payer's account (ledger id).</param>
/// <param name="CreditAccountId">Payee's account (ledger id), same currency.</param>
/// <param name="Amount">Minor units, positive.</param>
/// <param name="Reference">Free text for statements (≤ 140 characters, like ISO 20022 remittance information).</param>
public sealed record DomesticTransferRequest(string Initiator, string TransferId, UInt128 DebitAccountId, UInt128 CreditAccountId, long Amount, string? Reference = null);
