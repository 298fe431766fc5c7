using static Banyan.Ledger.Tests.StateMachines.TestLedger;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>
/// One example per precedence rule: an event that breaks two rules gets the code of the earlier one
/// (chain → id → exists → field validation → account lookups → ledger → pending checks → closed → overflow → limits).
/// </summary>
public sealed class PrecedenceTests
{
    [Fact]
    public void Chain_failure_beats_id_checks()
    {
        var ledger = Standard();
        var results = ledger.Transfers(T(10, 1, 99, 1, TransferFlags.Linked), T(0, 1, 2, 1));
        Assert.Equal(CreateTransferResult.LinkedEventFailed, results[1]);
    }

    [Fact]
    public void Id_checks_beat_field_validation() =>
        Standard().AssertRejected(CreateTransferResult.IdMustNotBeZero, T(0, 0, 0, 1, ledger: 0) with { Timestamp = 1 });

    [Fact]
    public void Exists_beats_field_validation_and_lookups()
    {
        var ledger = Standard();
        ledger.Setup(T(10, 1, 2, 5));
        ledger.AssertRejected(CreateTransferResult.ExistsWithDifferentDebitAccountId, T(10, 99, 2, 5, code: 0));
    }

    [Fact]
    public void Exists_fields_are_compared_in_declaration_order()
    {
        var ledger = Standard();
        ledger.Setup(T(10, 1, 2, 5));
        ledger.AssertRejected(CreateTransferResult.ExistsWithDifferentFlags, T(10, 6, 6, 6, TransferFlags.Pending, ledger: 2, code: 2));
        ledger.AssertRejected(CreateTransferResult.ExistsWithDifferentAmount, T(10, 1, 2, 6, ledger: 2) with { UserData64 = 3 });
    }

    [Fact]
    public void Field_validation_beats_account_lookups() =>
        Standard().AssertRejected(CreateTransferResult.CodeMustNotBeZero, T(10, 98, 99, 1, code: 0));

    [Fact]
    public void Account_lookups_beat_ledger_checks() =>
        Standard().AssertRejected(CreateTransferResult.CreditAccountNotFound, T(10, 3, 99, 1, ledger: 7));

    [Fact]
    public void Ledger_checks_beat_closed_accounts()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 6, 0, TransferFlags.Pending | TransferFlags.ClosingDebit));
        ledger.AssertRejected(CreateTransferResult.AccountsMustHaveTheSameLedger, T(10, 1, 3, 1));
    }

    [Fact]
    public void Account_lookups_beat_pending_transfer_checks() =>
        Standard().AssertRejected(CreateTransferResult.DebitAccountNotFound, Post(10, 9) with { DebitAccountId = 99 });

    [Fact]
    public void Pending_not_found_beats_everything_after_it() =>
        Standard().AssertRejected(CreateTransferResult.PendingTransferNotFound, Post(10, 9, amount: 5) with { Code = 3 });

    [Fact]
    public void Different_pending_fields_beat_the_amount_check()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 5, TransferFlags.Pending));
        ledger.AssertRejected(CreateTransferResult.PendingTransferHasDifferentCode, Post(10, 9, amount: 6) with { Code = 3 });
    }

    [Fact]
    public void Amount_checks_beat_already_posted()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 5, TransferFlags.Pending), Post(11, 9));
        ledger.AssertRejected(CreateTransferResult.ExceedsPendingTransferAmount, Post(10, 9, amount: 6));
    }

    [Fact]
    public void Already_voided_beats_expired()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 5, TransferFlags.Pending, timeout: 1), Void(11, 9));
        ledger.Advance(5 * Second);
        ledger.AssertRejected(CreateTransferResult.PendingTransferAlreadyVoided, Post(10, 9));
    }

    [Fact]
    public void Expired_beats_closed_accounts()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 5, TransferFlags.Pending, timeout: 1), T(8, 2, 6, 0, TransferFlags.Pending | TransferFlags.ClosingDebit));
        ledger.Advance(5 * Second);
        ledger.AssertRejected(CreateTransferResult.PendingTransferExpired, Post(10, 9));
    }

    [Fact]
    public void Closed_accounts_beat_overflow()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, UInt128.MaxValue), T(8, 6, 2, 0, TransferFlags.Pending | TransferFlags.ClosingCredit));
        ledger.AssertRejected(CreateTransferResult.CreditAccountAlreadyClosed, T(10, 1, 2, 1));
    }

    [Fact]
    public void Overflow_beats_limits()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 4, UInt128.MaxValue), T(8, 4, 2, UInt128.MaxValue)); // account 4: debits posted = credits posted = max
        ledger.AssertRejected(CreateTransferResult.OverflowsDebitsPosted, T(10, 4, 2, 1));
    }

    [Fact]
    public void Debit_limit_beats_credit_limit()
    {
        var ledger = Standard();
        ledger.AssertRejected(CreateTransferResult.ExceedsCredits, T(10, 4, 5, 1));
    }
}
