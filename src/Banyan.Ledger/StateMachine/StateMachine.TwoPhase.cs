namespace Banyan.Ledger;

internal sealed partial class StateMachine
{
    /// <summary>post_pending_transfer / void_pending_transfer, checks in the documented precedence.</summary>
    private CreateTransferResult PostOrVoidPending(in Transfer t, ulong timestamp, ulong hash, long slot)
    {
        var invalid = ValidatePostOrVoid(in t);
        if (invalid != CreateTransferResult.Created) return invalid;
        if (t.DebitAccountId != 0 && FindAccount(t.DebitAccountId) < 0) return CreateTransferResult.DebitAccountNotFound;
        if (t.CreditAccountId != 0 && FindAccount(t.CreditAccountId) < 0) return CreateTransferResult.CreditAccountNotFound;
        var pendingPosition = FindTransfer(t.PendingId);
        if (pendingPosition < 0) return CreateTransferResult.PendingTransferNotFound;
        ref readonly var p = ref _transfers.At(pendingPosition);
        var mismatch = CheckAgainstPending(in t, in p);
        if (mismatch != CreateTransferResult.Created) return mismatch;

        var post = (t.Flags & TransferFlags.PostPendingTransfer) != 0;
        var full = t.Amount == 0 || t.Amount == UInt128.MaxValue;
        var amount = full ? p.Amount : t.Amount;
        if (post && amount > p.Amount) return CreateTransferResult.ExceedsPendingTransferAmount;
        if (!post && amount != p.Amount) return CreateTransferResult.PendingTransferHasDifferentAmount;
        var status = _transfers.StatusAt(pendingPosition);
        if (status == PendingStatus.Posted) return CreateTransferResult.PendingTransferAlreadyPosted;
        if (status == PendingStatus.Voided) return CreateTransferResult.PendingTransferAlreadyVoided;
        if (status == PendingStatus.Expired || IsPastDeadline(in p, timestamp)) return CreateTransferResult.PendingTransferExpired;
        if (status != PendingStatus.Pending) throw new InvalidOperationException($"StateMachine: pending transfer in status {status}.");

        var dr = FindAccount(p.DebitAccountId);
        var cr = FindAccount(p.CreditAccountId);
        if (dr < 0 || cr < 0) throw new InvalidOperationException("StateMachine: a pending transfer names a missing account.");
        ref var d = ref _accounts[dr];
        ref var c = ref _accounts[cr];
        if (post)
        {
            // Voids may always release; a post may not move money into or out of a closed account,
            // except the one this very pending transfer closed (posting a closing transfer keeps it closed).
            if ((d.Flags & AccountFlags.Closed) != 0 && (p.Flags & TransferFlags.ClosingDebit) == 0) return CreateTransferResult.DebitAccountAlreadyClosed;
            if ((c.Flags & AccountFlags.Closed) != 0 && (p.Flags & TransferFlags.ClosingCredit) == 0) return CreateTransferResult.CreditAccountAlreadyClosed;
            if (AddOverflows(d.DebitsPosted, amount)) return CreateTransferResult.OverflowsDebitsPosted;
            if (AddOverflows(c.CreditsPosted, amount)) return CreateTransferResult.OverflowsCreditsPosted;
        }

        SaveAccount(dr);
        SaveAccount(cr);
        SaveStatus(pendingPosition);
        Release(ref d, ref c, in p, reopen: !post);
        if (post)
        {
            d.DebitsPosted += amount;
            c.CreditsPosted += amount;
        }
        _transfers.StatusAt(pendingPosition) = post ? PendingStatus.Posted : PendingStatus.Voided;
        // Copy what is needed from p before Store: appending may not move chunks (capacity is ensured), but stay explicit.
        var (debit, credit, ledger, code) = (p.DebitAccountId, p.CreditAccountId, p.Ledger, p.Code);
        var position = Store(in t, amount, timestamp, hash, slot, PendingStatus.None);
        ref var stored = ref _transfers.At(position);
        stored.DebitAccountId = debit;
        stored.CreditAccountId = credit;
        stored.Ledger = ledger;
        stored.Code = code;
        return CreateTransferResult.Created;
    }

    private static CreateTransferResult ValidatePostOrVoid(in Transfer t)
    {
        if (t.DebitAccountId == UInt128.MaxValue) return CreateTransferResult.DebitAccountIdMustNotBeIntMax;
        if (t.CreditAccountId == UInt128.MaxValue) return CreateTransferResult.CreditAccountIdMustNotBeIntMax;
        if (t.DebitAccountId != 0 && t.DebitAccountId == t.CreditAccountId) return CreateTransferResult.AccountsMustBeDifferent;
        if (t.PendingId == 0) return CreateTransferResult.PendingIdMustNotBeZero;
        if (t.PendingId == UInt128.MaxValue) return CreateTransferResult.PendingIdMustNotBeIntMax;
        if (t.PendingId == t.Id) return CreateTransferResult.PendingIdMustBeDifferent;
        if (t.Timeout != 0) return CreateTransferResult.TimeoutReservedForPendingTransfer;
        return CreateTransferResult.Created;
    }

    private static CreateTransferResult CheckAgainstPending(in Transfer t, in Transfer p)
    {
        if ((p.Flags & TransferFlags.Pending) == 0) return CreateTransferResult.PendingTransferNotPending;
        if (t.DebitAccountId != 0 && t.DebitAccountId != p.DebitAccountId) return CreateTransferResult.PendingTransferHasDifferentDebitAccountId;
        if (t.CreditAccountId != 0 && t.CreditAccountId != p.CreditAccountId) return CreateTransferResult.PendingTransferHasDifferentCreditAccountId;
        if (t.Ledger != 0 && t.Ledger != p.Ledger) return CreateTransferResult.PendingTransferHasDifferentLedger;
        if (t.Code != 0 && t.Code != p.Code) return CreateTransferResult.PendingTransferHasDifferentCode;
        return CreateTransferResult.Created;
    }

    /// <summary>Releases the reservation of pending transfer <paramref name="p"/>; a void or expiry also reopens the accounts it closed.</summary>
    private static void Release(ref Account d, ref Account c, in Transfer p, bool reopen)
    {
        d.DebitsPending -= p.Amount;
        c.CreditsPending -= p.Amount;
        if (!reopen) return;
        if ((p.Flags & TransferFlags.ClosingDebit) != 0) d.Flags &= ~AccountFlags.Closed;
        if ((p.Flags & TransferFlags.ClosingCredit) != 0) c.Flags &= ~AccountFlags.Closed;
    }

    private static bool IsPastDeadline(in Transfer p, ulong timestamp) =>
        p.Timeout != 0 && TryDeadline(p.Timestamp, p.Timeout, out var deadline) && deadline <= timestamp;

    /// <summary>Whether an expiry-queue entry still describes a pending transfer (entries are never removed eagerly).</summary>
    private bool IsLiveExpiry(long position, ulong deadline)
    {
        if (position >= _transfers.Count || _transfers.StatusAt(position) != PendingStatus.Pending) return false;
        ref readonly var p = ref _transfers.At(position);
        return p.Timeout != 0 && TryDeadline(p.Timestamp, p.Timeout, out var actual) && actual == deadline;
    }

    /// <summary>Releases an expired pending transfer (called by <see cref="Pulse"/> only, never inside a chain).</summary>
    private void Expire(long position)
    {
        ref readonly var p = ref _transfers.At(position);
        var dr = FindAccount(p.DebitAccountId);
        var cr = FindAccount(p.CreditAccountId);
        if (dr < 0 || cr < 0) throw new InvalidOperationException("StateMachine: an expiring transfer names a missing account.");
        Release(ref _accounts[dr], ref _accounts[cr], in p, reopen: true);
        _transfers.StatusAt(position) = PendingStatus.Expired;
    }
}
