using System.Runtime.CompilerServices;

namespace Banyan.Ledger;

internal sealed partial class StateMachine
{
    private const TransferFlags KnownTransferFlags = TransferFlags.Linked | TransferFlags.Pending |
        TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer | TransferFlags.BalancingDebit |
        TransferFlags.BalancingCredit | TransferFlags.ClosingDebit | TransferFlags.ClosingCredit;

    private const TransferFlags PostOrVoid = TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer;
    private const TransferFlags Balancing = TransferFlags.BalancingDebit | TransferFlags.BalancingCredit;
    private const TransferFlags Closing = TransferFlags.ClosingDebit | TransferFlags.ClosingCredit;

    /// <summary>One transfer event, checks in the documented precedence (docs/ledger.md), then its effects.</summary>
    private CreateTransferResult CreateTransfer(in Transfer t, ulong timestamp)
    {
        if (t.Id == 0) return CreateTransferResult.IdMustNotBeZero;
        if (t.Id == UInt128.MaxValue) return CreateTransferResult.IdMustNotBeIntMax;
        var hash = IdIndex.Hash(t.Id);
        var existing = _transferIndex.Find(t.Id, hash, new TransferKeys(_transfers), out var slot);
        if (existing >= 0) return TransferExists(in t, in _transfers.At(existing));
        var flagsResult = ValidateTransferFlags(t.Flags);
        if (flagsResult != CreateTransferResult.Created) return flagsResult;
        if (t.Timestamp != 0) return CreateTransferResult.TimestampMustBeZero;
        return (t.Flags & PostOrVoid) != 0
            ? PostOrVoidPending(in t, timestamp, hash, slot)
            : CreateSingleOrPending(in t, timestamp, hash, slot);
    }

    private static CreateTransferResult ValidateTransferFlags(TransferFlags flags)
    {
        if ((flags & ~KnownTransferFlags) != 0) return CreateTransferResult.ReservedFlag;
        var phases = (flags & TransferFlags.Pending) != 0 ? 1 : 0;
        if ((flags & TransferFlags.PostPendingTransfer) != 0) phases++;
        if ((flags & TransferFlags.VoidPendingTransfer) != 0) phases++;
        if (phases > 1) return CreateTransferResult.FlagsAreMutuallyExclusive;
        if ((flags & PostOrVoid) != 0 && (flags & (Balancing | Closing)) != 0) return CreateTransferResult.FlagsAreMutuallyExclusive;
        return CreateTransferResult.Created;
    }

    private static CreateTransferResult ValidateSingleOrPending(in Transfer t)
    {
        if (t.DebitAccountId == 0) return CreateTransferResult.DebitAccountIdMustNotBeZero;
        if (t.DebitAccountId == UInt128.MaxValue) return CreateTransferResult.DebitAccountIdMustNotBeIntMax;
        if (t.CreditAccountId == 0) return CreateTransferResult.CreditAccountIdMustNotBeZero;
        if (t.CreditAccountId == UInt128.MaxValue) return CreateTransferResult.CreditAccountIdMustNotBeIntMax;
        if (t.DebitAccountId == t.CreditAccountId) return CreateTransferResult.AccountsMustBeDifferent;
        if (t.PendingId != 0) return CreateTransferResult.PendingIdMustBeZero;
        var pending = (t.Flags & TransferFlags.Pending) != 0;
        if (!pending && t.Timeout != 0) return CreateTransferResult.TimeoutReservedForPendingTransfer;
        if (!pending && (t.Flags & Closing) != 0) return CreateTransferResult.ClosingTransferMustBePending;
        if (t.Ledger == 0) return CreateTransferResult.LedgerMustNotBeZero;
        if (t.Code == 0) return CreateTransferResult.CodeMustNotBeZero;
        return CreateTransferResult.Created;
    }

    private CreateTransferResult CreateSingleOrPending(in Transfer t, ulong timestamp, ulong hash, long slot)
    {
        var invalid = ValidateSingleOrPending(in t);
        if (invalid != CreateTransferResult.Created) return invalid;
        var dr = FindAccount(t.DebitAccountId);
        if (dr < 0) return CreateTransferResult.DebitAccountNotFound;
        var cr = FindAccount(t.CreditAccountId);
        if (cr < 0) return CreateTransferResult.CreditAccountNotFound;
        ref var d = ref _accounts[dr];
        ref var c = ref _accounts[cr];
        if (d.Ledger != c.Ledger) return CreateTransferResult.AccountsMustHaveTheSameLedger;
        if (t.Ledger != d.Ledger) return CreateTransferResult.TransferMustHaveTheSameLedgerAsAccounts;
        if ((d.Flags & AccountFlags.Closed) != 0) return CreateTransferResult.DebitAccountAlreadyClosed;
        if ((c.Flags & AccountFlags.Closed) != 0) return CreateTransferResult.CreditAccountAlreadyClosed;

        var amount = t.Amount;
        if ((t.Flags & TransferFlags.BalancingDebit) != 0) amount = UInt128.Min(amount, Headroom(d.CreditsPosted, d.DebitsPending, d.DebitsPosted));
        if ((t.Flags & TransferFlags.BalancingCredit) != 0) amount = UInt128.Min(amount, Headroom(c.DebitsPosted, c.CreditsPending, c.CreditsPosted));
        var pending = (t.Flags & TransferFlags.Pending) != 0;
        var bounds = CheckBounds(in d, in c, amount, pending);
        if (bounds != CreateTransferResult.Created) return bounds;
        var deadline = 0UL;
        if (pending && t.Timeout != 0 && !TryDeadline(timestamp, t.Timeout, out deadline)) return CreateTransferResult.OverflowsTimeout;
        var limits = CheckLimits(in d, in c, amount);
        if (limits != CreateTransferResult.Created) return limits;

        SaveAccount(dr);
        SaveAccount(cr);
        if (pending)
        {
            d.DebitsPending += amount;
            c.CreditsPending += amount;
            if ((t.Flags & TransferFlags.ClosingDebit) != 0) d.Flags |= AccountFlags.Closed;
            if ((t.Flags & TransferFlags.ClosingCredit) != 0) c.Flags |= AccountFlags.Closed;
        }
        else
        {
            d.DebitsPosted += amount;
            c.CreditsPosted += amount;
        }
        var position = Store(in t, amount, timestamp, hash, slot, pending ? PendingStatus.Pending : PendingStatus.None);
        if (deadline != 0) _expiries.Enqueue(position, deadline);
        return CreateTransferResult.Created;
    }

    /// <summary>Overflow checks of a new transfer, in precedence order. Pending transfers also check the posted sums: they may be posted later.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CreateTransferResult CheckBounds(in Account d, in Account c, UInt128 amount, bool pending)
    {
        if (pending && AddOverflows(d.DebitsPending, amount)) return CreateTransferResult.OverflowsDebitsPending;
        if (pending && AddOverflows(c.CreditsPending, amount)) return CreateTransferResult.OverflowsCreditsPending;
        if (AddOverflows(d.DebitsPosted, amount)) return CreateTransferResult.OverflowsDebitsPosted;
        if (AddOverflows(c.CreditsPosted, amount)) return CreateTransferResult.OverflowsCreditsPosted;
        if (AddOverflows(d.DebitsPending, d.DebitsPosted) || AddOverflows(d.DebitsPending + d.DebitsPosted, amount))
        {
            return CreateTransferResult.OverflowsDebits;
        }
        if (AddOverflows(c.CreditsPending, c.CreditsPosted) || AddOverflows(c.CreditsPending + c.CreditsPosted, amount))
        {
            return CreateTransferResult.OverflowsCredits;
        }
        return CreateTransferResult.Created;
    }

    /// <summary>Balance limits; only called after <see cref="CheckBounds"/> proved the sums do not overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CreateTransferResult CheckLimits(in Account d, in Account c, UInt128 amount)
    {
        if ((d.Flags & AccountFlags.DebitsMustNotExceedCredits) != 0 && d.DebitsPending + d.DebitsPosted + amount > d.CreditsPosted)
        {
            return CreateTransferResult.ExceedsCredits;
        }
        if ((c.Flags & AccountFlags.CreditsMustNotExceedDebits) != 0 && c.CreditsPending + c.CreditsPosted + amount > c.DebitsPosted)
        {
            return CreateTransferResult.ExceedsDebits;
        }
        return CreateTransferResult.Created;
    }

    /// <summary>Appends the transfer as stored (amount actually moved, engine timestamp) and indexes it.</summary>
    private long Store(in Transfer t, UInt128 amount, ulong timestamp, ulong hash, long slot, PendingStatus status)
    {
        var position = _transfers.Append(in t, status);
        ref var stored = ref _transfers.At(position);
        stored.Amount = amount;
        stored.Timestamp = timestamp;
        _transferIndex.InsertAt(slot, hash, position);
        if (_undo.Active)
        {
            ref var entry = ref _undo.Push();
            entry.Kind = UndoKind.TransferCreated;
            entry.Slot = slot;
        }
        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AddOverflows(UInt128 a, UInt128 b) => a > UInt128.MaxValue - b;

    /// <summary>How much more may be added to <paramref name="a"/> + <paramref name="b"/> before it exceeds <paramref name="limit"/> (0 when already above).</summary>
    private static UInt128 Headroom(UInt128 limit, UInt128 a, UInt128 b)
    {
        if (a >= limit) return 0;
        var rest = limit - a;
        return b >= rest ? 0 : rest - b;
    }

    /// <summary>The expiry deadline in ns: <paramref name="timestamp"/> + timeout seconds; false when it overflows 64 bits.</summary>
    private static bool TryDeadline(ulong timestamp, uint timeoutSeconds, out ulong deadline)
    {
        var span = timeoutSeconds * NanosPerSecond; // at most 2^32 * 1e9 < 2^63: cannot overflow
        if (timestamp > ulong.MaxValue - span)
        {
            deadline = 0;
            return false;
        }
        deadline = timestamp + span;
        return true;
    }

    private CreateTransferResult TransferExists(in Transfer t, in Transfer e)
    {
        if (t.Flags != e.Flags) return CreateTransferResult.ExistsWithDifferentFlags;
        if (t.PendingId != e.PendingId) return CreateTransferResult.ExistsWithDifferentPendingId;
        if (t.Timeout != e.Timeout) return CreateTransferResult.ExistsWithDifferentTimeout;
        var inherits = (t.Flags & PostOrVoid) != 0; // post/void may omit accounts, ledger, code (0 = inherited)
        if (t.DebitAccountId != e.DebitAccountId && !(inherits && t.DebitAccountId == 0)) return CreateTransferResult.ExistsWithDifferentDebitAccountId;
        if (t.CreditAccountId != e.CreditAccountId && !(inherits && t.CreditAccountId == 0)) return CreateTransferResult.ExistsWithDifferentCreditAccountId;
        if (!SameAmount(in t, in e)) return CreateTransferResult.ExistsWithDifferentAmount;
        if (t.UserData128 != e.UserData128) return CreateTransferResult.ExistsWithDifferentUserData128;
        if (t.UserData64 != e.UserData64) return CreateTransferResult.ExistsWithDifferentUserData64;
        if (t.UserData32 != e.UserData32) return CreateTransferResult.ExistsWithDifferentUserData32;
        if (t.Ledger != e.Ledger && !(inherits && t.Ledger == 0)) return CreateTransferResult.ExistsWithDifferentLedger;
        if (t.Code != e.Code && !(inherits && t.Code == 0)) return CreateTransferResult.ExistsWithDifferentCode;
        return CreateTransferResult.Exists;
    }

    /// <summary>
    /// Whether a resubmitted amount means the same as the stored one (which is the amount actually moved).
    /// Balancing: any submitted amount at least the moved amount. Post/void with 0 or max ("the whole
    /// pending amount"): the stored amount must be the pending's amount. Otherwise: equal.
    /// </summary>
    private bool SameAmount(in Transfer t, in Transfer e)
    {
        if ((t.Flags & Balancing) != 0) return t.Amount >= e.Amount;
        if ((t.Flags & PostOrVoid) != 0 && (t.Amount == 0 || t.Amount == UInt128.MaxValue))
        {
            var pending = FindTransfer(e.PendingId);
            if (pending < 0) throw new InvalidOperationException("StateMachine: a stored post/void names a missing pending transfer.");
            return _transfers.At(pending).Amount == e.Amount;
        }
        return t.Amount == e.Amount;
    }
}
