using System.Runtime.CompilerServices;

namespace Banyan.Ledger;

/// <summary>
/// The deterministic core: a pure function of (state, request, timestamp). Single-threaded; the
/// engine calls it from its writer thread and replay calls it from recovery. Event i of a request
/// gets timestamp <c>timestamp + i</c>; the caller guarantees <c>timestamp &gt; LastTimestamp</c>.
/// Semantics, result precedence and memory layout: docs/ledger.md.
/// </summary>
internal sealed partial class StateMachine
{
    /// <summary>Nanoseconds per second: transfer timeouts are seconds, timestamps nanoseconds.</summary>
    private const ulong NanosPerSecond = 1_000_000_000UL;

    /// <summary>How many events ahead the transfer index slot is prefetched (hides random-id cache misses).</summary>
    private const int PrefetchDistance = 8;

    private Account[] _accounts;
    private int _accountCount;
    private readonly IdIndex _accountIndex;
    private readonly TransferStore _transfers;
    private readonly IdIndex _transferIndex;
    private readonly UndoLog _undo = new();

    // Deadlines of pending transfers with a timeout. Entries are validated lazily (the transfer must still
    // be pending with that deadline), so posted/voided/rolled-back pendings need no removal.
    private readonly PriorityQueue<long, ulong> _expiries = new();
    private ulong _lastTimestamp;

    public StateMachine(int accountCapacity, long transferCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(accountCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(transferCapacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(transferCapacity, IdIndex.MaxPositions);
        _accounts = new Account[Math.Max(16, accountCapacity)];
        _accountIndex = new IdIndex(accountCapacity);
        _transfers = new TransferStore(transferCapacity);
        _transferIndex = new IdIndex(transferCapacity);
    }

    /// <summary>The highest timestamp assigned so far (0 when empty).</summary>
    public ulong LastTimestamp => _lastTimestamp;

    public int AccountCount => _accountCount;

    public long TransferCount => _transfers.Count;

    /// <summary>The earliest deadline (ns) of a pending transfer with a timeout; 0 when none. The engine pulses at it.</summary>
    public ulong NextExpiryTimestamp
    {
        get
        {
            while (_expiries.TryPeek(out var position, out var deadline))
            {
                if (IsLiveExpiry(position, deadline)) return deadline;
                _expiries.Dequeue(); // stale: posted, voided, expired or rolled back
            }
            return 0;
        }
    }

    /// <summary>The accounts in creation order (valid until the next mutation).</summary>
    public ReadOnlySpan<Account> Accounts => _accounts.AsSpan(0, _accountCount);

    /// <summary>The transfer at <paramref name="position"/> in creation order (0 ≤ position &lt; <see cref="TransferCount"/>).</summary>
    public ref readonly Transfer TransferAt(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, _transfers.Count);
        return ref _transfers.At(position);
    }

    /// <summary>The two-phase status of the transfer at <paramref name="position"/>.</summary>
    public PendingStatus PendingStatusAt(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, _transfers.Count);
        return _transfers.StatusAt(position);
    }

    public bool TryGetAccount(UInt128 id, out Account account)
    {
        var index = FindAccount(id);
        account = index >= 0 ? _accounts[index] : default;
        return index >= 0;
    }

    public bool TryGetTransfer(UInt128 id, out Transfer transfer)
    {
        var position = FindTransfer(id);
        transfer = position >= 0 ? _transfers.At(position) : default;
        return position >= 0;
    }

    /// <summary>The two-phase status of transfer <paramref name="id"/>; false when no such transfer exists.</summary>
    public bool TryGetPendingStatus(UInt128 id, out PendingStatus status)
    {
        var position = FindTransfer(id);
        status = position >= 0 ? _transfers.StatusAt(position) : PendingStatus.None;
        return position >= 0;
    }

    /// <summary>Expires pending transfers whose deadline is at or before <paramref name="timestamp"/> (a journaled "pulse").</summary>
    public void Pulse(ulong timestamp)
    {
        while (_expiries.TryPeek(out var position, out var deadline) && deadline <= timestamp)
        {
            _expiries.Dequeue();
            if (IsLiveExpiry(position, deadline)) Expire(position);
        }
    }

    public void CreateAccounts(ReadOnlySpan<Account> events, ulong timestamp, Span<CreateAccountResult> results)
    {
        BeginRequest(events.Length, results.Length, timestamp);
        if (_accountCount + events.Length > _accounts.Length) GrowAccounts(_accountCount + events.Length);
        _accountIndex.EnsureCapacity(events.Length, new AccountKeys(_accounts));
        var open = OpenChainStart(events);
        var chainStart = -1;
        var chainFailed = false;
        for (var i = 0; i < open; i++)
        {
            var linked = (events[i].Flags & AccountFlags.Linked) != 0;
            if (linked && chainStart < 0) StartChain(ref chainStart, i);
            var result = chainFailed ? CreateAccountResult.LinkedEventFailed : CreateAccount(in events[i], timestamp + (ulong)i);
            if (result != CreateAccountResult.Created && chainStart >= 0 && !chainFailed)
            {
                chainFailed = true;
                RollbackChain();
                results[chainStart..i].Fill(CreateAccountResult.LinkedEventFailed);
            }
            results[i] = result;
            if (!linked && chainStart >= 0) EndChain(ref chainStart, ref chainFailed);
        }
        results[open..events.Length].Fill(CreateAccountResult.LinkedEventChainOpen);
        EndRequest(events.Length, timestamp);
    }

    public void CreateTransfers(ReadOnlySpan<Transfer> events, ulong timestamp, Span<CreateTransferResult> results)
    {
        BeginRequest(events.Length, results.Length, timestamp);
        Pulse(timestamp);
        _transfers.EnsureCapacity(_transfers.Count + events.Length);
        _transferIndex.EnsureCapacity(events.Length, new TransferKeys(_transfers));
        _transfers.PrefaultAhead();
        _transferIndex.PrefaultOnce();
        var open = OpenChainStart(events);
        var chainStart = -1;
        var chainFailed = false;
        for (var i = 0; i < open; i++)
        {
            if (i + PrefetchDistance < events.Length) _transferIndex.Prefetch(IdIndex.Hash(events[i + PrefetchDistance].Id));
            var linked = (events[i].Flags & TransferFlags.Linked) != 0;
            if (linked && chainStart < 0) StartChain(ref chainStart, i);
            var result = chainFailed ? CreateTransferResult.LinkedEventFailed : CreateTransfer(in events[i], timestamp + (ulong)i);
            if (result != CreateTransferResult.Created && chainStart >= 0 && !chainFailed)
            {
                chainFailed = true;
                RollbackChain();
                results[chainStart..i].Fill(CreateTransferResult.LinkedEventFailed);
            }
            results[i] = result;
            if (!linked && chainStart >= 0) EndChain(ref chainStart, ref chainFailed);
        }
        results[open..events.Length].Fill(CreateTransferResult.LinkedEventChainOpen);
        EndRequest(events.Length, timestamp);
    }

    private void BeginRequest(int events, int results, ulong timestamp)
    {
        if (events > LedgerEngine.MaxBatchEvents) throw new ArgumentOutOfRangeException(nameof(events), $"A request holds at most {LedgerEngine.MaxBatchEvents} events.");
        if (results != events) throw new ArgumentException("One result slot per event is required.", nameof(results));
        // Engine bug, not bad input: timestamps must strictly increase across requests and not wrap.
        if (timestamp <= _lastTimestamp) throw new InvalidOperationException($"Request timestamp {timestamp} must exceed the last timestamp {_lastTimestamp}.");
        if (timestamp > ulong.MaxValue - (ulong)events) throw new InvalidOperationException("Request timestamp range overflows.");
    }

    private void EndRequest(int events, ulong timestamp)
    {
        if (_undo.Active || _undo.Count != 0) throw new InvalidOperationException("StateMachine: undo log not empty after a request.");
        if (events > 0) _lastTimestamp = timestamp + (ulong)(events - 1);
    }

    private void StartChain(ref int chainStart, int index)
    {
        chainStart = index;
        _undo.Active = true;
    }

    private void EndChain(ref int chainStart, ref bool chainFailed)
    {
        chainStart = -1;
        chainFailed = false;
        _undo.Clear();
    }

    /// <summary>The index where a trailing open chain starts (every event from there on is linked), or the length.</summary>
    private static int OpenChainStart(ReadOnlySpan<Account> events)
    {
        var start = events.Length;
        while (start > 0 && (events[start - 1].Flags & AccountFlags.Linked) != 0) start--;
        return start;
    }

    private static int OpenChainStart(ReadOnlySpan<Transfer> events)
    {
        var start = events.Length;
        while (start > 0 && (events[start - 1].Flags & TransferFlags.Linked) != 0) start--;
        return start;
    }

    /// <summary>Undoes every recorded effect of the open chain, newest first; leaves recording on for the rest of the chain (which records nothing: its events fail).</summary>
    private void RollbackChain()
    {
        while (_undo.Count > 0)
        {
            ref var entry = ref _undo.Pop();
            switch (entry.Kind)
            {
                case UndoKind.AccountState:
                    _accounts[entry.AccountIndex] = entry.OldAccount;
                    break;
                case UndoKind.AccountCreated:
                    _accountIndex.RemoveAt(entry.Slot);
                    _accountCount--;
                    _accounts[_accountCount] = default;
                    break;
                case UndoKind.TransferCreated:
                    _transferIndex.RemoveAt(entry.Slot);
                    _transfers.RemoveLast();
                    break;
                case UndoKind.Status:
                    _transfers.StatusAt(entry.Position) = entry.OldStatus;
                    break;
                default:
                    throw new InvalidOperationException($"Unknown undo kind {entry.Kind}.");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SaveAccount(int index)
    {
        if (!_undo.Active) return;
        ref var entry = ref _undo.Push();
        entry.Kind = UndoKind.AccountState;
        entry.AccountIndex = index;
        entry.OldAccount = _accounts[index];
    }

    private void SaveStatus(long position)
    {
        if (!_undo.Active) return;
        ref var entry = ref _undo.Push();
        entry.Kind = UndoKind.Status;
        entry.Position = position;
        entry.OldStatus = _transfers.StatusAt(position);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindAccount(UInt128 id) =>
        (int)_accountIndex.Find(id, IdIndex.Hash(id), new AccountKeys(_accounts), out _);

    private long FindTransfer(UInt128 id) =>
        _transferIndex.Find(id, IdIndex.Hash(id), new TransferKeys(_transfers), out _);

    private void GrowAccounts(int needed)
    {
        var size = Math.Max(needed, _accounts.Length * 2);
        Array.Resize(ref _accounts, size);
    }

    private CreateAccountResult CreateAccount(in Account a, ulong timestamp)
    {
        if (a.Id == 0) return CreateAccountResult.IdMustNotBeZero;
        if (a.Id == UInt128.MaxValue) return CreateAccountResult.IdMustNotBeIntMax;
        var hash = IdIndex.Hash(a.Id);
        var existing = _accountIndex.Find(a.Id, hash, new AccountKeys(_accounts), out var slot);
        if (existing >= 0) return AccountExists(in a, in _accounts[existing]);
        var invalid = ValidateAccount(in a);
        if (invalid != CreateAccountResult.Created) return invalid;

        var index = _accountCount;
        ref var stored = ref _accounts[index];
        stored = a;
        stored.Timestamp = timestamp;
        _accountCount = index + 1;
        _accountIndex.InsertAt(slot, hash, index);
        if (_undo.Active)
        {
            ref var entry = ref _undo.Push();
            entry.Kind = UndoKind.AccountCreated;
            entry.Slot = slot;
        }
        return CreateAccountResult.Created;
    }

    private const AccountFlags KnownAccountFlags = AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits |
        AccountFlags.CreditsMustNotExceedDebits | AccountFlags.History | AccountFlags.Closed;

    private static CreateAccountResult ValidateAccount(in Account a)
    {
        if (a.Reserved != 0) return CreateAccountResult.ReservedField;
        if ((a.Flags & ~KnownAccountFlags) != 0) return CreateAccountResult.ReservedFlag;
        const AccountFlags bothLimits = AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits;
        if ((a.Flags & bothLimits) == bothLimits) return CreateAccountResult.FlagsAreMutuallyExclusive;
        if (a.DebitsPending != 0 || a.DebitsPosted != 0 || a.CreditsPending != 0 || a.CreditsPosted != 0)
        {
            return CreateAccountResult.BalancesMustBeZero;
        }
        if (a.Timestamp != 0) return CreateAccountResult.TimestampMustBeZero;
        if (a.Ledger == 0) return CreateAccountResult.LedgerMustNotBeZero;
        if (a.Code == 0) return CreateAccountResult.CodeMustNotBeZero;
        return CreateAccountResult.Created;
    }

    private static CreateAccountResult AccountExists(in Account a, in Account e)
    {
        // The closed flag changes over the account's life (closing transfers), so it is not compared.
        if ((a.Flags & ~AccountFlags.Closed) != (e.Flags & ~AccountFlags.Closed)) return CreateAccountResult.ExistsWithDifferentFlags;
        if (a.UserData128 != e.UserData128) return CreateAccountResult.ExistsWithDifferentUserData128;
        if (a.UserData64 != e.UserData64) return CreateAccountResult.ExistsWithDifferentUserData64;
        if (a.UserData32 != e.UserData32) return CreateAccountResult.ExistsWithDifferentUserData32;
        if (a.Ledger != e.Ledger) return CreateAccountResult.ExistsWithDifferentLedger;
        if (a.Code != e.Code) return CreateAccountResult.ExistsWithDifferentCode;
        return CreateAccountResult.Exists;
    }
}
