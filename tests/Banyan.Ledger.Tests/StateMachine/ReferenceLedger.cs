using System.Numerics;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>
/// A deliberately simple model of docs/ledger.md: dictionaries, BigInteger arithmetic (so overflow is
/// a plain comparison), and linked chains rolled back by restoring a full copy of the state.
/// Slow and obviously correct; the real state machine must agree with it on every result and balance.
/// </summary>
internal sealed class ReferenceLedger
{
    private static readonly BigInteger Max = (BigInteger)UInt128.MaxValue;

    private State _state = new();

    public IReadOnlyList<UInt128> AccountOrder => _state.AccountOrder;
    public IReadOnlyList<UInt128> TransferOrder => _state.TransferOrder;
    public Account Account(UInt128 id) => _state.Accounts[id];
    public Transfer Transfer(UInt128 id) => _state.Transfers[id];
    public PendingStatus Status(UInt128 id) => _state.Status.GetValueOrDefault(id);

    private sealed class State
    {
        public Dictionary<UInt128, Account> Accounts = [];
        public List<UInt128> AccountOrder = [];
        public Dictionary<UInt128, Transfer> Transfers = [];
        public List<UInt128> TransferOrder = [];
        public Dictionary<UInt128, PendingStatus> Status = [];

        public State Copy() => new()
        {
            Accounts = new(Accounts),
            AccountOrder = [.. AccountOrder],
            Transfers = new(Transfers),
            TransferOrder = [.. TransferOrder],
            Status = new(Status),
        };
    }

    public CreateAccountResult[] CreateAccounts(Account[] events, ulong timestamp) =>
        RunChains(events, e => e.Flags.HasFlag(AccountFlags.Linked), (e, i) => CreateAccount(e, timestamp + (ulong)i),
            CreateAccountResult.Created, CreateAccountResult.LinkedEventFailed, CreateAccountResult.LinkedEventChainOpen);

    public CreateTransferResult[] CreateTransfers(Transfer[] events, ulong timestamp)
    {
        Pulse(timestamp);
        return RunChains(events, e => e.Flags.HasFlag(TransferFlags.Linked), (e, i) => CreateTransfer(e, timestamp + (ulong)i),
            CreateTransferResult.Created, CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventChainOpen);
    }

    public void Pulse(ulong timestamp)
    {
        foreach (var id in _state.TransferOrder)
        {
            var p = _state.Transfers[id];
            if (Status(id) == PendingStatus.Pending && p.Timeout > 0 && Deadline(p) <= timestamp)
            {
                Release(p, reopen: true);
                _state.Status[id] = PendingStatus.Expired;
            }
        }
    }

    private R[] RunChains<TEvent, R>(TEvent[] events, Func<TEvent, bool> linked, Func<TEvent, int, R> apply, R ok, R failed, R open)
        where R : struct, Enum
    {
        var results = new R[events.Length];
        var openFrom = events.Length;
        while (openFrom > 0 && linked(events[openFrom - 1])) openFrom--;
        for (var k = openFrom; k < events.Length; k++) results[k] = open;
        var i = 0;
        while (i < openFrom)
        {
            var end = i;
            while (linked(events[end])) end++; // the chain is events[i..end]
            var saved = _state.Copy();
            for (var k = i; k <= end; k++)
            {
                var r = apply(events[k], k);
                results[k] = r;
                if (EqualityComparer<R>.Default.Equals(r, ok)) continue;
                _state = saved;
                for (var m = i; m <= end; m++) if (m != k) results[m] = failed;
                break;
            }
            i = end + 1;
        }
        return results;
    }

    private CreateAccountResult CreateAccount(Account a, ulong timestamp)
    {
        if (a.Id == 0) return CreateAccountResult.IdMustNotBeZero;
        if (a.Id == UInt128.MaxValue) return CreateAccountResult.IdMustNotBeIntMax;
        if (_state.Accounts.TryGetValue(a.Id, out var e))
        {
            if ((a.Flags | AccountFlags.Closed) != (e.Flags | AccountFlags.Closed)) return CreateAccountResult.ExistsWithDifferentFlags;
            if (a.UserData128 != e.UserData128) return CreateAccountResult.ExistsWithDifferentUserData128;
            if (a.UserData64 != e.UserData64) return CreateAccountResult.ExistsWithDifferentUserData64;
            if (a.UserData32 != e.UserData32) return CreateAccountResult.ExistsWithDifferentUserData32;
            if (a.Ledger != e.Ledger) return CreateAccountResult.ExistsWithDifferentLedger;
            if (a.Code != e.Code) return CreateAccountResult.ExistsWithDifferentCode;
            return CreateAccountResult.Exists;
        }
        if (a.Reserved != 0) return CreateAccountResult.ReservedField;
        if ((ushort)a.Flags >= 1 << 5) return CreateAccountResult.ReservedFlag;
        if (a.Flags.HasFlag(AccountFlags.DebitsMustNotExceedCredits) && a.Flags.HasFlag(AccountFlags.CreditsMustNotExceedDebits)) return CreateAccountResult.FlagsAreMutuallyExclusive;
        if (a.DebitsPending != 0 || a.DebitsPosted != 0 || a.CreditsPending != 0 || a.CreditsPosted != 0)
        {
            return CreateAccountResult.BalancesMustBeZero;
        }
        if (a.Timestamp != 0) return CreateAccountResult.TimestampMustBeZero;
        if (a.Ledger == 0) return CreateAccountResult.LedgerMustNotBeZero;
        if (a.Code == 0) return CreateAccountResult.CodeMustNotBeZero;
        a.Timestamp = timestamp;
        _state.Accounts[a.Id] = a;
        _state.AccountOrder.Add(a.Id);
        return CreateAccountResult.Created;
    }

    private CreateTransferResult CreateTransfer(Transfer t, ulong timestamp)
    {
        if (t.Id == 0) return CreateTransferResult.IdMustNotBeZero;
        if (t.Id == UInt128.MaxValue) return CreateTransferResult.IdMustNotBeIntMax;
        if (_state.Transfers.TryGetValue(t.Id, out var e)) return Exists(t, e);
        if ((ushort)t.Flags >= 1 << 8) return CreateTransferResult.ReservedFlag;
        var post = t.Flags.HasFlag(TransferFlags.PostPendingTransfer);
        var @void = t.Flags.HasFlag(TransferFlags.VoidPendingTransfer);
        var pending = t.Flags.HasFlag(TransferFlags.Pending);
        if ((pending ? 1 : 0) + (post ? 1 : 0) + (@void ? 1 : 0) > 1) return CreateTransferResult.FlagsAreMutuallyExclusive;
        var balancingOrClosing = TransferFlags.BalancingDebit | TransferFlags.BalancingCredit | TransferFlags.ClosingDebit | TransferFlags.ClosingCredit;
        if ((post || @void) && (t.Flags & balancingOrClosing) != 0) return CreateTransferResult.FlagsAreMutuallyExclusive;
        if (t.Timestamp != 0) return CreateTransferResult.TimestampMustBeZero;
        return post || @void ? PostOrVoid(t, timestamp, post) : SingleOrPending(t, timestamp, pending);
    }

    private CreateTransferResult SingleOrPending(Transfer t, ulong timestamp, bool pending)
    {
        if (t.DebitAccountId == 0) return CreateTransferResult.DebitAccountIdMustNotBeZero;
        if (t.DebitAccountId == UInt128.MaxValue) return CreateTransferResult.DebitAccountIdMustNotBeIntMax;
        if (t.CreditAccountId == 0) return CreateTransferResult.CreditAccountIdMustNotBeZero;
        if (t.CreditAccountId == UInt128.MaxValue) return CreateTransferResult.CreditAccountIdMustNotBeIntMax;
        if (t.DebitAccountId == t.CreditAccountId) return CreateTransferResult.AccountsMustBeDifferent;
        if (t.PendingId != 0) return CreateTransferResult.PendingIdMustBeZero;
        if (!pending && t.Timeout != 0) return CreateTransferResult.TimeoutReservedForPendingTransfer;
        if (!pending && (t.Flags.HasFlag(TransferFlags.ClosingDebit) || t.Flags.HasFlag(TransferFlags.ClosingCredit))) return CreateTransferResult.ClosingTransferMustBePending;
        if (t.Ledger == 0) return CreateTransferResult.LedgerMustNotBeZero;
        if (t.Code == 0) return CreateTransferResult.CodeMustNotBeZero;
        if (!_state.Accounts.TryGetValue(t.DebitAccountId, out var d)) return CreateTransferResult.DebitAccountNotFound;
        if (!_state.Accounts.TryGetValue(t.CreditAccountId, out var c)) return CreateTransferResult.CreditAccountNotFound;
        if (d.Ledger != c.Ledger) return CreateTransferResult.AccountsMustHaveTheSameLedger;
        if (t.Ledger != d.Ledger) return CreateTransferResult.TransferMustHaveTheSameLedgerAsAccounts;
        if (d.Flags.HasFlag(AccountFlags.Closed)) return CreateTransferResult.DebitAccountAlreadyClosed;
        if (c.Flags.HasFlag(AccountFlags.Closed)) return CreateTransferResult.CreditAccountAlreadyClosed;

        BigInteger amount = t.Amount;
        if (t.Flags.HasFlag(TransferFlags.BalancingDebit))
        {
            amount = BigInteger.Min(amount, BigInteger.Max(0, (BigInteger)d.CreditsPosted - d.DebitsPending - d.DebitsPosted));
        }
        if (t.Flags.HasFlag(TransferFlags.BalancingCredit))
        {
            amount = BigInteger.Min(amount, BigInteger.Max(0, (BigInteger)c.DebitsPosted - c.CreditsPending - c.CreditsPosted));
        }
        if (pending && d.DebitsPending + amount > Max) return CreateTransferResult.OverflowsDebitsPending;
        if (pending && c.CreditsPending + amount > Max) return CreateTransferResult.OverflowsCreditsPending;
        if (d.DebitsPosted + amount > Max) return CreateTransferResult.OverflowsDebitsPosted;
        if (c.CreditsPosted + amount > Max) return CreateTransferResult.OverflowsCreditsPosted;
        if ((BigInteger)d.DebitsPending + d.DebitsPosted + amount > Max) return CreateTransferResult.OverflowsDebits;
        if ((BigInteger)c.CreditsPending + c.CreditsPosted + amount > Max) return CreateTransferResult.OverflowsCredits;
        if (pending && t.Timeout > 0 && (BigInteger)timestamp + ((BigInteger)t.Timeout * 1_000_000_000) > ulong.MaxValue) return CreateTransferResult.OverflowsTimeout;
        if (d.Flags.HasFlag(AccountFlags.DebitsMustNotExceedCredits) && (BigInteger)d.DebitsPending + d.DebitsPosted + amount > d.CreditsPosted) return CreateTransferResult.ExceedsCredits;
        if (c.Flags.HasFlag(AccountFlags.CreditsMustNotExceedDebits) && (BigInteger)c.CreditsPending + c.CreditsPosted + amount > c.DebitsPosted) return CreateTransferResult.ExceedsDebits;

        var moved = (UInt128)amount;
        if (pending)
        {
            d.DebitsPending += moved;
            c.CreditsPending += moved;
            if (t.Flags.HasFlag(TransferFlags.ClosingDebit)) d.Flags |= AccountFlags.Closed;
            if (t.Flags.HasFlag(TransferFlags.ClosingCredit)) c.Flags |= AccountFlags.Closed;
            _state.Status[t.Id] = PendingStatus.Pending;
        }
        else
        {
            d.DebitsPosted += moved;
            c.CreditsPosted += moved;
        }
        _state.Accounts[d.Id] = d;
        _state.Accounts[c.Id] = c;
        t.Amount = moved;
        t.Timestamp = timestamp;
        Add(t);
        return CreateTransferResult.Created;
    }

    private CreateTransferResult PostOrVoid(Transfer t, ulong timestamp, bool post)
    {
        if (t.DebitAccountId == UInt128.MaxValue) return CreateTransferResult.DebitAccountIdMustNotBeIntMax;
        if (t.CreditAccountId == UInt128.MaxValue) return CreateTransferResult.CreditAccountIdMustNotBeIntMax;
        if (t.DebitAccountId != 0 && t.DebitAccountId == t.CreditAccountId) return CreateTransferResult.AccountsMustBeDifferent;
        if (t.PendingId == 0) return CreateTransferResult.PendingIdMustNotBeZero;
        if (t.PendingId == UInt128.MaxValue) return CreateTransferResult.PendingIdMustNotBeIntMax;
        if (t.PendingId == t.Id) return CreateTransferResult.PendingIdMustBeDifferent;
        if (t.Timeout != 0) return CreateTransferResult.TimeoutReservedForPendingTransfer;
        if (t.DebitAccountId != 0 && !_state.Accounts.ContainsKey(t.DebitAccountId)) return CreateTransferResult.DebitAccountNotFound;
        if (t.CreditAccountId != 0 && !_state.Accounts.ContainsKey(t.CreditAccountId)) return CreateTransferResult.CreditAccountNotFound;
        if (!_state.Transfers.TryGetValue(t.PendingId, out var p)) return CreateTransferResult.PendingTransferNotFound;
        if (!p.Flags.HasFlag(TransferFlags.Pending)) return CreateTransferResult.PendingTransferNotPending;
        if (t.DebitAccountId != 0 && t.DebitAccountId != p.DebitAccountId) return CreateTransferResult.PendingTransferHasDifferentDebitAccountId;
        if (t.CreditAccountId != 0 && t.CreditAccountId != p.CreditAccountId) return CreateTransferResult.PendingTransferHasDifferentCreditAccountId;
        if (t.Ledger != 0 && t.Ledger != p.Ledger) return CreateTransferResult.PendingTransferHasDifferentLedger;
        if (t.Code != 0 && t.Code != p.Code) return CreateTransferResult.PendingTransferHasDifferentCode;
        var amount = t.Amount == 0 || t.Amount == UInt128.MaxValue ? p.Amount : t.Amount;
        if (post && amount > p.Amount) return CreateTransferResult.ExceedsPendingTransferAmount;
        if (!post && amount != p.Amount) return CreateTransferResult.PendingTransferHasDifferentAmount;
        var status = Status(p.Id);
        if (status == PendingStatus.Posted) return CreateTransferResult.PendingTransferAlreadyPosted;
        if (status == PendingStatus.Voided) return CreateTransferResult.PendingTransferAlreadyVoided;
        if (status == PendingStatus.Expired || (p.Timeout > 0 && Deadline(p) <= timestamp)) return CreateTransferResult.PendingTransferExpired;
        var d = _state.Accounts[p.DebitAccountId];
        var c = _state.Accounts[p.CreditAccountId];
        if (post)
        {
            if (d.Flags.HasFlag(AccountFlags.Closed) && !p.Flags.HasFlag(TransferFlags.ClosingDebit)) return CreateTransferResult.DebitAccountAlreadyClosed;
            if (c.Flags.HasFlag(AccountFlags.Closed) && !p.Flags.HasFlag(TransferFlags.ClosingCredit)) return CreateTransferResult.CreditAccountAlreadyClosed;
            if ((BigInteger)d.DebitsPosted + amount > Max) return CreateTransferResult.OverflowsDebitsPosted;
            if ((BigInteger)c.CreditsPosted + amount > Max) return CreateTransferResult.OverflowsCreditsPosted;
        }
        Release(p, reopen: !post);
        if (post)
        {
            d = _state.Accounts[p.DebitAccountId];
            c = _state.Accounts[p.CreditAccountId];
            d.DebitsPosted += amount;
            c.CreditsPosted += amount;
            _state.Accounts[d.Id] = d;
            _state.Accounts[c.Id] = c;
        }
        _state.Status[p.Id] = post ? PendingStatus.Posted : PendingStatus.Voided;
        t.DebitAccountId = p.DebitAccountId;
        t.CreditAccountId = p.CreditAccountId;
        t.Ledger = p.Ledger;
        t.Code = p.Code;
        t.Amount = amount;
        t.Timestamp = timestamp;
        Add(t);
        return CreateTransferResult.Created;
    }

    private CreateTransferResult Exists(Transfer t, Transfer e)
    {
        var postOrVoid = (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0;
        bool Same(UInt128 submitted, UInt128 stored) => submitted == stored || (postOrVoid && submitted == 0);
        if (t.Flags != e.Flags) return CreateTransferResult.ExistsWithDifferentFlags;
        if (t.PendingId != e.PendingId) return CreateTransferResult.ExistsWithDifferentPendingId;
        if (t.Timeout != e.Timeout) return CreateTransferResult.ExistsWithDifferentTimeout;
        if (!Same(t.DebitAccountId, e.DebitAccountId)) return CreateTransferResult.ExistsWithDifferentDebitAccountId;
        if (!Same(t.CreditAccountId, e.CreditAccountId)) return CreateTransferResult.ExistsWithDifferentCreditAccountId;
        bool sameAmount;
        if ((t.Flags & (TransferFlags.BalancingDebit | TransferFlags.BalancingCredit)) != 0) sameAmount = t.Amount >= e.Amount;
        else if (postOrVoid && (t.Amount == 0 || t.Amount == UInt128.MaxValue)) sameAmount = e.Amount == _state.Transfers[e.PendingId].Amount;
        else sameAmount = t.Amount == e.Amount;
        if (!sameAmount) return CreateTransferResult.ExistsWithDifferentAmount;
        if (t.UserData128 != e.UserData128) return CreateTransferResult.ExistsWithDifferentUserData128;
        if (t.UserData64 != e.UserData64) return CreateTransferResult.ExistsWithDifferentUserData64;
        if (t.UserData32 != e.UserData32) return CreateTransferResult.ExistsWithDifferentUserData32;
        if (!Same(t.Ledger, e.Ledger)) return CreateTransferResult.ExistsWithDifferentLedger;
        if (!Same(t.Code, e.Code)) return CreateTransferResult.ExistsWithDifferentCode;
        return CreateTransferResult.Exists;
    }

    private void Release(Transfer p, bool reopen)
    {
        var d = _state.Accounts[p.DebitAccountId];
        d.DebitsPending -= p.Amount;
        if (reopen && p.Flags.HasFlag(TransferFlags.ClosingDebit)) d.Flags &= ~AccountFlags.Closed;
        _state.Accounts[d.Id] = d;
        var c = _state.Accounts[p.CreditAccountId];
        c.CreditsPending -= p.Amount;
        if (reopen && p.Flags.HasFlag(TransferFlags.ClosingCredit)) c.Flags &= ~AccountFlags.Closed;
        _state.Accounts[c.Id] = c;
    }

    private void Add(Transfer t)
    {
        _state.Transfers[t.Id] = t;
        _state.TransferOrder.Add(t.Id);
    }

    private static BigInteger Deadline(Transfer p) => (BigInteger)p.Timestamp + ((BigInteger)p.Timeout * 1_000_000_000);
}
