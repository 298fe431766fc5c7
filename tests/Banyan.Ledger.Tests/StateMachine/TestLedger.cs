namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>A state machine with a test clock and terse builders, for readable example tests.</summary>
internal sealed class TestLedger
{
    public const ulong Second = 1_000_000_000;
    private ulong _pendingAdvance;

    public TestLedger(params Account[] accounts)
    {
        Machine = new StateMachine(16, 64);
        if (accounts.Length > 0)
        {
            var results = Accounts(accounts);
            Assert.All(results, r => Assert.Equal(CreateAccountResult.Created, r));
        }
    }

    public StateMachine Machine { get; }

    /// <summary>The timestamp the next request will get.</summary>
    public ulong NextTimestamp => Math.Max(Machine.LastTimestamp, 1_000 * Second) + 1 + _pendingAdvance;

    /// <summary>The standard fixture: 1, 2, 6 plain on ledger 1; 3 on ledger 2; 4 debits ≤ credits; 5 credits ≤ debits.</summary>
    public static TestLedger Standard() => new(
        A(1), A(2), A(3, ledger: 2), A(4, AccountFlags.DebitsMustNotExceedCredits), A(5, AccountFlags.CreditsMustNotExceedDebits), A(6));

    public static Account A(UInt128 id, AccountFlags flags = AccountFlags.None, uint ledger = 1, ushort code = 1) =>
        new() { Id = id, Flags = flags, Ledger = ledger, Code = code };

    public static Transfer T(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, TransferFlags flags = TransferFlags.None,
        uint ledger = 1, ushort code = 1, UInt128 pendingId = default, uint timeout = 0) =>
        new()
        {
            Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = amount, Flags = flags,
            Ledger = ledger, Code = code, PendingId = pendingId, Timeout = timeout,
        };

    /// <summary>A post (or void) naming only the pending id: everything else is inherited.</summary>
    public static Transfer Post(UInt128 id, UInt128 pendingId, UInt128 amount = default) =>
        new() { Id = id, PendingId = pendingId, Amount = amount, Flags = TransferFlags.PostPendingTransfer };

    public static Transfer Void(UInt128 id, UInt128 pendingId) =>
        new() { Id = id, PendingId = pendingId, Flags = TransferFlags.VoidPendingTransfer };

    public void Advance(ulong nanoseconds) => _pendingAdvance += nanoseconds;

    public CreateAccountResult[] Accounts(params Account[] events)
    {
        var results = new CreateAccountResult[events.Length];
        Machine.CreateAccounts(events, NextTimestamp, results);
        _pendingAdvance = 0;
        return results;
    }

    public CreateTransferResult[] Transfers(params Transfer[] events)
    {
        var results = new CreateTransferResult[events.Length];
        Machine.CreateTransfers(events, NextTimestamp, results);
        _pendingAdvance = 0;
        return results;
    }

    public CreateTransferResult Transfer(Transfer t) => Transfers(t)[0];

    /// <summary>Creates transfers that must all succeed (test setup).</summary>
    public void Setup(params Transfer[] events) => Assert.All(Transfers(events), r => Assert.Equal(CreateTransferResult.Created, r));

    public Account Account(UInt128 id)
    {
        Assert.True(Machine.TryGetAccount(id, out var account), $"account {id} missing");
        return account;
    }

    public Transfer StoredTransfer(UInt128 id)
    {
        Assert.True(Machine.TryGetTransfer(id, out var transfer), $"transfer {id} missing");
        return transfer;
    }

    public PendingStatus Status(UInt128 id)
    {
        Assert.True(Machine.TryGetPendingStatus(id, out var status), $"transfer {id} missing");
        return status;
    }

    /// <summary>Runs <paramref name="request"/> and asserts its result and that the state (digest) did not change.</summary>
    public void AssertRejected(CreateTransferResult expected, Transfer request)
    {
        Machine.Pulse(NextTimestamp); // isolate expiry effects from the request under test
        var before = Machine.Digest();
        var count = Machine.TransferCount;
        Assert.Equal(expected, Transfer(request));
        Assert.Equal(count, Machine.TransferCount);
        Assert.Equal(before, Machine.Digest());
    }
}
