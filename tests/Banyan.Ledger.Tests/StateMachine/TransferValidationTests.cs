using static Banyan.Ledger.Tests.StateMachines.TestLedger;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>One example per validation result code: the event is rejected with that code and changes nothing.</summary>
public sealed class TransferValidationTests
{
    private static readonly UInt128 Max = UInt128.MaxValue;

    /// <summary>(code, setup transfers, the request). Names read as the rule.</summary>
    public static TheoryData<string, CreateTransferResult, Transfer[], Transfer> Cases => new()
    {
        { "id zero", CreateTransferResult.IdMustNotBeZero, [], T(0, 1, 2, 10) },
        { "id max", CreateTransferResult.IdMustNotBeIntMax, [], T(Max, 1, 2, 10) },
        { "unknown flag bit", CreateTransferResult.ReservedFlag, [], T(10, 1, 2, 10, (TransferFlags)(1 << 12)) },
        { "pending and post", CreateTransferResult.FlagsAreMutuallyExclusive, [], T(10, 1, 2, 10, TransferFlags.Pending | TransferFlags.PostPendingTransfer, pendingId: 9) },
        { "post and void", CreateTransferResult.FlagsAreMutuallyExclusive, [], T(10, 0, 0, 0, TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer, pendingId: 9) },
        { "balancing post", CreateTransferResult.FlagsAreMutuallyExclusive, [], T(10, 0, 0, 0, TransferFlags.PostPendingTransfer | TransferFlags.BalancingDebit, pendingId: 9) },
        { "closing void", CreateTransferResult.FlagsAreMutuallyExclusive, [], T(10, 0, 0, 0, TransferFlags.VoidPendingTransfer | TransferFlags.ClosingCredit, pendingId: 9) },
        { "client timestamp", CreateTransferResult.TimestampMustBeZero, [], T(10, 1, 2, 10) with { Timestamp = 5 } },
        { "debit zero", CreateTransferResult.DebitAccountIdMustNotBeZero, [], T(10, 0, 2, 10) },
        { "debit max", CreateTransferResult.DebitAccountIdMustNotBeIntMax, [], T(10, Max, 2, 10) },
        { "credit zero", CreateTransferResult.CreditAccountIdMustNotBeZero, [], T(10, 1, 0, 10) },
        { "credit max", CreateTransferResult.CreditAccountIdMustNotBeIntMax, [], T(10, 1, Max, 10) },
        { "same account", CreateTransferResult.AccountsMustBeDifferent, [], T(10, 1, 1, 10) },
        { "pending id on single-phase", CreateTransferResult.PendingIdMustBeZero, [], T(10, 1, 2, 10, pendingId: 3) },
        { "post without pending id", CreateTransferResult.PendingIdMustNotBeZero, [], Post(10, 0) },
        { "post of pending id max", CreateTransferResult.PendingIdMustNotBeIntMax, [], Post(10, Max) },
        { "post of itself", CreateTransferResult.PendingIdMustBeDifferent, [], Post(10, 10) },
        { "timeout on single-phase", CreateTransferResult.TimeoutReservedForPendingTransfer, [], T(10, 1, 2, 10, timeout: 5) },
        { "timeout on post", CreateTransferResult.TimeoutReservedForPendingTransfer, [], Post(10, 9) with { Timeout = 1 } },
        { "closing single-phase", CreateTransferResult.ClosingTransferMustBePending, [], T(10, 1, 2, 10, TransferFlags.ClosingDebit) },
        { "ledger zero", CreateTransferResult.LedgerMustNotBeZero, [], T(10, 1, 2, 10, ledger: 0) },
        { "code zero", CreateTransferResult.CodeMustNotBeZero, [], T(10, 1, 2, 10, code: 0) },
        { "unknown debit account", CreateTransferResult.DebitAccountNotFound, [], T(10, 99, 2, 10) },
        { "unknown credit account", CreateTransferResult.CreditAccountNotFound, [], T(10, 1, 99, 10) },
        { "accounts on two ledgers", CreateTransferResult.AccountsMustHaveTheSameLedger, [], T(10, 1, 3, 10) },
        { "transfer on another ledger", CreateTransferResult.TransferMustHaveTheSameLedgerAsAccounts, [], T(10, 1, 2, 10, ledger: 2) },
        { "post of unknown pending", CreateTransferResult.PendingTransferNotFound, [], Post(10, 9) },
        { "post of a single-phase transfer", CreateTransferResult.PendingTransferNotPending, [T(9, 1, 2, 10)], Post(10, 9) },
        { "post naming another debit account", CreateTransferResult.PendingTransferHasDifferentDebitAccountId, [T(9, 1, 2, 10, TransferFlags.Pending)], Post(10, 9) with { DebitAccountId = 6 } },
        { "post naming another credit account", CreateTransferResult.PendingTransferHasDifferentCreditAccountId, [T(9, 1, 2, 10, TransferFlags.Pending)], Post(10, 9) with { CreditAccountId = 6 } },
        { "post naming another ledger", CreateTransferResult.PendingTransferHasDifferentLedger, [T(9, 1, 2, 10, TransferFlags.Pending)], Post(10, 9) with { Ledger = 2 } },
        { "post naming another code", CreateTransferResult.PendingTransferHasDifferentCode, [T(9, 1, 2, 10, TransferFlags.Pending)], Post(10, 9) with { Code = 7 } },
        { "post above the pending amount", CreateTransferResult.ExceedsPendingTransferAmount, [T(9, 1, 2, 10, TransferFlags.Pending)], Post(10, 9, amount: 11) },
        { "void of part of the amount", CreateTransferResult.PendingTransferHasDifferentAmount, [T(9, 1, 2, 10, TransferFlags.Pending)], Void(10, 9) with { Amount = 4 } },
        { "post after post", CreateTransferResult.PendingTransferAlreadyPosted, [T(9, 1, 2, 10, TransferFlags.Pending), Post(11, 9)], Post(10, 9) },
        { "post after void", CreateTransferResult.PendingTransferAlreadyVoided, [T(9, 1, 2, 10, TransferFlags.Pending), Void(11, 9)], Post(10, 9) },
        { "debit account closed", CreateTransferResult.DebitAccountAlreadyClosed, [T(9, 1, 6, 0, TransferFlags.Pending | TransferFlags.ClosingDebit)], T(10, 1, 2, 10) },
        { "credit account closed", CreateTransferResult.CreditAccountAlreadyClosed, [T(9, 6, 2, 0, TransferFlags.Pending | TransferFlags.ClosingCredit)], T(10, 1, 2, 10) },
        { "debits posted overflow", CreateTransferResult.OverflowsDebitsPosted, [T(9, 1, 2, Max)], T(10, 1, 6, 1) },
        { "credits posted overflow", CreateTransferResult.OverflowsCreditsPosted, [T(9, 1, 2, Max)], T(10, 6, 2, 1) },
        { "debits pending overflow", CreateTransferResult.OverflowsDebitsPending, [T(9, 1, 2, Max, TransferFlags.Pending)], T(10, 1, 6, 1, TransferFlags.Pending) },
        { "credits pending overflow", CreateTransferResult.OverflowsCreditsPending, [T(9, 1, 2, Max, TransferFlags.Pending)], T(10, 6, 2, 1, TransferFlags.Pending) },
        { "debits pending + posted overflow", CreateTransferResult.OverflowsDebits, [T(9, 1, 2, Max - 5, TransferFlags.Pending)], T(10, 1, 6, 6) },
        { "credits pending + posted overflow", CreateTransferResult.OverflowsCredits, [T(9, 1, 2, Max - 5, TransferFlags.Pending)], T(10, 6, 2, 6) },
        { "debits above credits", CreateTransferResult.ExceedsCredits, [T(9, 1, 4, 10)], T(10, 4, 2, 11) },
        { "credits above debits", CreateTransferResult.ExceedsDebits, [T(9, 5, 1, 10)], T(10, 2, 5, 11) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Invalid_transfer_is_rejected_with_its_code_and_changes_nothing(string rule, CreateTransferResult expected, Transfer[] setup, Transfer request)
    {
        Assert.NotNull(rule);
        var ledger = Standard();
        ledger.Setup(setup);
        ledger.AssertRejected(expected, request);
    }

    [Fact]
    public void Timeout_whose_deadline_overflows_64_bits_is_rejected()
    {
        var machine = new StateMachine(4, 4);
        var results = new CreateAccountResult[2];
        machine.CreateAccounts([A(1), A(2)], 1, results);
        var result = new CreateTransferResult[1];
        machine.CreateTransfers([T(10, 1, 2, 5, TransferFlags.Pending, timeout: uint.MaxValue)], ulong.MaxValue - 10, result);
        Assert.Equal(CreateTransferResult.OverflowsTimeout, result[0]);
        Assert.Equal(0, machine.TransferCount);
    }

    [Fact]
    public void Transfer_exceeding_credits_is_rejected_and_changes_nothing()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 4, 100)); // account 4 now has 100 posted credits
        ledger.AssertRejected(CreateTransferResult.ExceedsCredits, T(10, 4, 2, 101));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(11, 4, 2, 100)));
        Assert.Equal((UInt128)100, ledger.Account(4).DebitsPosted);
    }

    [Fact]
    public void Pending_debits_count_against_the_credit_limit()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 4, 100), T(10, 4, 2, 60, TransferFlags.Pending));
        ledger.AssertRejected(CreateTransferResult.ExceedsCredits, T(11, 4, 2, 41));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(12, 4, 2, 40)));
    }

    [Fact]
    public void Transfer_exceeding_debits_is_rejected_and_changes_nothing()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 5, 1, 30)); // account 5 now has 30 posted debits
        ledger.AssertRejected(CreateTransferResult.ExceedsDebits, T(10, 2, 5, 31));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(11, 2, 5, 30)));
    }
}
