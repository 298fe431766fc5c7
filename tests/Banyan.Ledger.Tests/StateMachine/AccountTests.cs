using static Banyan.Ledger.Tests.StateMachines.TestLedger;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>Account creation: one example per result code, precedence, chains and idempotency.</summary>
public sealed class AccountTests
{
    public static TheoryData<string, CreateAccountResult, Account> Invalid => new()
    {
        { "id zero", CreateAccountResult.IdMustNotBeZero, A(0) },
        { "id max", CreateAccountResult.IdMustNotBeIntMax, A(UInt128.MaxValue) },
        { "reserved field", CreateAccountResult.ReservedField, A(10) with { Reserved = 1 } },
        { "unknown flag bit", CreateAccountResult.ReservedFlag, A(10, (AccountFlags)(1 << 10)) },
        { "both limits", CreateAccountResult.FlagsAreMutuallyExclusive, A(10, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits) },
        { "opening balance", CreateAccountResult.BalancesMustBeZero, A(10) with { CreditsPosted = 5 } },
        { "client timestamp", CreateAccountResult.TimestampMustBeZero, A(10) with { Timestamp = 5 } },
        { "ledger zero", CreateAccountResult.LedgerMustNotBeZero, A(10, ledger: 0) },
        { "code zero", CreateAccountResult.CodeMustNotBeZero, A(10, code: 0) },
        { "exists", CreateAccountResult.Exists, A(1) },
        { "different flags", CreateAccountResult.ExistsWithDifferentFlags, A(1, AccountFlags.History) },
        { "different user_data_128", CreateAccountResult.ExistsWithDifferentUserData128, A(1) with { UserData128 = 1 } },
        { "different user_data_64", CreateAccountResult.ExistsWithDifferentUserData64, A(1) with { UserData64 = 1 } },
        { "different user_data_32", CreateAccountResult.ExistsWithDifferentUserData32, A(1) with { UserData32 = 1 } },
        { "different ledger", CreateAccountResult.ExistsWithDifferentLedger, A(1, ledger: 2) },
        { "different code", CreateAccountResult.ExistsWithDifferentCode, A(1, code: 2) },
        { "exists beats validation", CreateAccountResult.ExistsWithDifferentLedger, A(1, ledger: 0) with { Reserved = 3 } },
        { "reserved field beats ledger", CreateAccountResult.ReservedField, A(10, ledger: 0) with { Reserved = 3 } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_or_existing_account_is_rejected_with_its_code_and_changes_nothing(string rule, CreateAccountResult expected, Account account)
    {
        Assert.NotNull(rule);
        var ledger = new TestLedger(A(1));
        var before = ledger.Machine.Digest();
        Assert.Equal(expected, ledger.Accounts(account)[0]);
        Assert.Equal(before, ledger.Machine.Digest());
        Assert.Equal(1, ledger.Machine.AccountCount);
    }

    [Fact]
    public void Created_account_gets_the_event_timestamp_and_zero_balances()
    {
        var ledger = new TestLedger();
        var timestamp = ledger.NextTimestamp;
        Assert.Equal([CreateAccountResult.Created, CreateAccountResult.Created], ledger.Accounts(A(1), A(2, AccountFlags.History)));
        Assert.Equal(timestamp + 1, ledger.Account(2).Timestamp);
        Assert.Equal(AccountFlags.History, ledger.Account(2).Flags);
    }

    [Fact]
    public void A_duplicate_inside_one_request_sees_the_earlier_event()
    {
        var ledger = new TestLedger();
        Assert.Equal([CreateAccountResult.Created, CreateAccountResult.Exists], ledger.Accounts(A(1), A(1)));
    }

    [Fact]
    public void A_failing_account_chain_creates_none_of_its_accounts()
    {
        var ledger = new TestLedger(A(1));
        var before = ledger.Machine.Digest();
        var results = ledger.Accounts(A(2, AccountFlags.Linked), A(3, AccountFlags.Linked), A(4, code: 0), A(5, AccountFlags.Linked));
        Assert.Equal([CreateAccountResult.LinkedEventFailed, CreateAccountResult.LinkedEventFailed, CreateAccountResult.CodeMustNotBeZero, CreateAccountResult.LinkedEventChainOpen], results);
        Assert.Equal(before, ledger.Machine.Digest());
        Assert.False(ledger.Machine.TryGetAccount(2, out _));
        // The rolled-back ids are free again.
        Assert.Equal([CreateAccountResult.Created], ledger.Accounts(A(2)));
    }

    [Fact]
    public void The_closed_flag_is_ignored_when_comparing_a_resent_account()
    {
        var ledger = new TestLedger(A(1), A(2));
        ledger.Setup(T(9, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit));
        Assert.Equal([CreateAccountResult.Exists], ledger.Accounts(A(1)));
    }
}
