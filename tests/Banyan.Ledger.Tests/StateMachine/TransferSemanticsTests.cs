using static Banyan.Ledger.Tests.StateMachines.TestLedger;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>Examples of the documented semantics: chains, two-phase, expiry, balancing, closing, idempotency, timestamps.</summary>
public sealed class TransferSemanticsTests
{
    private const TransferFlags Linked = TransferFlags.Linked;
    private const TransferFlags Pending = TransferFlags.Pending;

    [Fact]
    public void Simple_transfer_moves_posted_balances_and_stores_the_engine_timestamp()
    {
        var ledger = Standard();
        var timestamp = ledger.NextTimestamp;
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 1, 2, 25)));
        Assert.Equal((UInt128)25, ledger.Account(1).DebitsPosted);
        Assert.Equal((UInt128)25, ledger.Account(2).CreditsPosted);
        Assert.Equal(timestamp, ledger.StoredTransfer(10).Timestamp);
    }

    [Fact]
    public void Events_of_a_request_get_consecutive_timestamps_and_see_earlier_events()
    {
        var ledger = Standard();
        var timestamp = ledger.NextTimestamp;
        var results = ledger.Transfers(T(10, 1, 4, 50), T(11, 4, 2, 50), T(12, 4, 2, 1));
        Assert.Equal([CreateTransferResult.Created, CreateTransferResult.Created, CreateTransferResult.ExceedsCredits], results);
        Assert.Equal(timestamp + 1, ledger.StoredTransfer(11).Timestamp);
        Assert.Equal(timestamp + 2, ledger.Machine.LastTimestamp);
    }

    [Fact]
    public void A_request_timestamp_not_after_the_last_one_is_an_engine_bug()
    {
        var ledger = Standard();
        var last = ledger.Machine.LastTimestamp;
        var results = new CreateTransferResult[1];
        Assert.Throws<InvalidOperationException>(() => ledger.Machine.CreateTransfers([T(10, 1, 2, 1)], last, results));
        Assert.Equal(0, ledger.Machine.TransferCount);
    }

    [Fact]
    public void A_failing_event_fails_its_whole_chain_and_leaves_state_unchanged()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 4, 10));
        var before = ledger.Machine.Digest();
        var results = ledger.Transfers(T(10, 1, 2, 5, Linked), T(11, 4, 2, 10, Linked), T(12, 4, 6, 1), T(13, 1, 2, 7));
        Assert.Equal(
            [CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventFailed, CreateTransferResult.ExceedsCredits, CreateTransferResult.Created],
            results);
        Assert.False(ledger.Machine.TryGetTransfer(10, out _));
        Assert.Equal((UInt128)17, ledger.Account(1).DebitsPosted); // 10 from setup + 7 from the unlinked event
        Assert.Equal((UInt128)0, ledger.Account(4).DebitsPosted);
        Assert.NotEqual(before, ledger.Machine.Digest());
    }

    [Fact]
    public void Failed_chain_leaves_the_digest_byte_identical()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 10, Pending | TransferFlags.ClosingDebit, timeout: 60));
        var before = ledger.Machine.Digest();
        var results = ledger.Transfers(Void(10, 9) with { Flags = TransferFlags.VoidPendingTransfer | Linked }, T(11, 1, 6, 3, Linked), T(12, 2, 6, 0, Pending | TransferFlags.ClosingCredit | Linked), T(13, 0, 6, 1));
        Assert.Equal(CreateTransferResult.DebitAccountIdMustNotBeZero, results[3]);
        Assert.Equal(before, ledger.Machine.Digest());
        Assert.Equal(PendingStatus.Pending, ledger.Status(9));
        Assert.True(ledger.Account(1).Flags.HasFlag(AccountFlags.Closed));
    }

    [Fact]
    public void Events_after_a_chain_failure_get_linked_event_failed_even_when_invalid()
    {
        var ledger = Standard();
        var results = ledger.Transfers(T(10, 1, 99, 5, Linked), T(0, 0, 0, 0, Linked), T(11, 1, 2, 5));
        Assert.Equal([CreateTransferResult.CreditAccountNotFound, CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventFailed], results);
    }

    [Fact]
    public void A_request_ending_inside_a_chain_rejects_the_whole_open_chain()
    {
        var ledger = Standard();
        var results = ledger.Transfers(T(10, 1, 2, 5), T(11, 1, 2, 5, Linked), T(0, 1, 2, 5, Linked));
        Assert.Equal([CreateTransferResult.Created, CreateTransferResult.LinkedEventChainOpen, CreateTransferResult.LinkedEventChainOpen], results);
        Assert.Equal(1, ledger.Machine.TransferCount);
    }

    [Fact]
    public void A_successful_chain_applies_every_event()
    {
        var ledger = Standard();
        var results = ledger.Transfers(T(10, 1, 4, 5, Linked), T(11, 4, 2, 5, Linked), T(12, 2, 6, 5));
        Assert.All(results, r => Assert.Equal(CreateTransferResult.Created, r));
        Assert.Equal((UInt128)5, ledger.Account(6).CreditsPosted);
    }

    [Fact]
    public void Resending_a_created_transfer_returns_exists_and_changes_nothing()
    {
        var ledger = Standard();
        ledger.Setup(T(10, 1, 2, 5));
        ledger.AssertRejected(CreateTransferResult.Exists, T(10, 1, 2, 5));
    }

    public static TheoryData<CreateTransferResult, Transfer> DifferentFields => new()
    {
        { CreateTransferResult.ExistsWithDifferentFlags, T(10, 1, 2, 5, TransferFlags.BalancingDebit) },
        { CreateTransferResult.ExistsWithDifferentPendingId, T(10, 1, 2, 5, pendingId: 3) },
        { CreateTransferResult.ExistsWithDifferentTimeout, T(10, 1, 2, 5, timeout: 3) },
        { CreateTransferResult.ExistsWithDifferentDebitAccountId, T(10, 6, 2, 5) },
        { CreateTransferResult.ExistsWithDifferentCreditAccountId, T(10, 1, 6, 5) },
        { CreateTransferResult.ExistsWithDifferentAmount, T(10, 1, 2, 6) },
        { CreateTransferResult.ExistsWithDifferentUserData128, T(10, 1, 2, 5) with { UserData128 = 1 } },
        { CreateTransferResult.ExistsWithDifferentUserData64, T(10, 1, 2, 5) with { UserData64 = 1 } },
        { CreateTransferResult.ExistsWithDifferentUserData32, T(10, 1, 2, 5) with { UserData32 = 1 } },
        { CreateTransferResult.ExistsWithDifferentLedger, T(10, 1, 2, 5, ledger: 2) },
        { CreateTransferResult.ExistsWithDifferentCode, T(10, 1, 2, 5, code: 2) },
    };

    [Theory]
    [MemberData(nameof(DifferentFields))]
    public void Resending_a_created_id_with_a_different_field_names_that_field(CreateTransferResult expected, Transfer resend)
    {
        var ledger = Standard();
        ledger.Setup(T(10, 1, 2, 5));
        ledger.AssertRejected(expected, resend);
    }

    [Fact]
    public void Exists_checks_come_before_field_validation()
    {
        var ledger = Standard();
        ledger.Setup(T(10, 1, 2, 5));
        ledger.AssertRejected(CreateTransferResult.ExistsWithDifferentLedger, T(10, 1, 2, 5, ledger: 0));
        ledger.AssertRejected(CreateTransferResult.Exists, T(10, 1, 2, 5) with { Timestamp = 77 });
    }

    [Fact]
    public void A_failed_transfer_is_not_stored_so_a_retry_is_evaluated_afresh()
    {
        var ledger = Standard();
        ledger.AssertRejected(CreateTransferResult.ExceedsCredits, T(10, 4, 2, 5));
        ledger.Setup(T(9, 1, 4, 5));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 4, 2, 5)));
    }

    [Fact]
    public void Pending_reserves_and_full_post_moves_it_to_posted()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 40, Pending));
        Assert.Equal((UInt128)40, ledger.Account(1).DebitsPending);
        Assert.Equal((UInt128)40, ledger.Account(2).CreditsPending);
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(Post(10, 9, amount: UInt128.MaxValue)));
        var debit = ledger.Account(1);
        Assert.Equal((UInt128)0, debit.DebitsPending);
        Assert.Equal((UInt128)40, debit.DebitsPosted);
        Assert.Equal(PendingStatus.Posted, ledger.Status(9));
        var stored = ledger.StoredTransfer(10);
        Assert.Equal((UInt128)40, stored.Amount);
        Assert.Equal((UInt128)1, stored.DebitAccountId); // inherited
        Assert.Equal(1u, stored.Ledger);
    }

    [Fact]
    public void Partial_post_posts_part_and_releases_the_rest()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 40, Pending), Post(10, 9, amount: 15));
        Assert.Equal((UInt128)0, ledger.Account(1).DebitsPending);
        Assert.Equal((UInt128)15, ledger.Account(1).DebitsPosted);
        Assert.Equal((UInt128)15, ledger.Account(2).CreditsPosted);
        Assert.Equal((UInt128)15, ledger.StoredTransfer(10).Amount);
    }

    [Fact]
    public void Void_releases_the_reservation()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 40, Pending), Void(10, 9) with { Amount = 40 });
        Assert.Equal((UInt128)0, ledger.Account(1).DebitsPending);
        Assert.Equal((UInt128)0, ledger.Account(2).CreditsPosted);
        Assert.Equal(PendingStatus.Voided, ledger.Status(9));
        Assert.Equal((UInt128)40, ledger.StoredTransfer(10).Amount);
    }

    [Fact]
    public void Pulse_expires_a_pending_transfer_at_its_deadline()
    {
        var ledger = Standard();
        var created = ledger.NextTimestamp;
        ledger.Setup(T(9, 1, 2, 40, Pending, timeout: 2));
        Assert.Equal(created + (2 * Second), ledger.Machine.NextExpiryTimestamp);
        ledger.Machine.Pulse(created + (2 * Second) - 1);
        Assert.Equal(PendingStatus.Pending, ledger.Status(9));
        ledger.Machine.Pulse(created + (2 * Second));
        Assert.Equal(PendingStatus.Expired, ledger.Status(9));
        Assert.Equal((UInt128)0, ledger.Account(1).DebitsPending);
        Assert.Equal(0UL, ledger.Machine.NextExpiryTimestamp);
        ledger.AssertRejected(CreateTransferResult.PendingTransferExpired, Post(10, 9));
    }

    [Fact]
    public void A_request_after_the_deadline_expires_the_pending_before_its_events()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 40, Pending, timeout: 1));
        ledger.Advance(2 * Second);
        Assert.Equal(CreateTransferResult.PendingTransferExpired, ledger.Transfer(Post(10, 9)));
        Assert.Equal((UInt128)0, ledger.Account(1).DebitsPending);
    }

    [Fact]
    public void Post_at_an_event_timestamp_past_the_deadline_is_expired_even_before_the_pulse()
    {
        var machine = new StateMachine(4, 8);
        machine.CreateAccounts([A(1), A(2)], 1, new CreateAccountResult[2]);
        machine.CreateTransfers([T(9, 1, 2, 40, Pending, timeout: 1)], 10, new CreateTransferResult[1]);
        // Request starts one ns before the deadline; its second event is exactly at the deadline.
        var results = new CreateTransferResult[2];
        machine.CreateTransfers([T(11, 1, 2, 1), Post(10, 9)], 10 + Second - 1, results);
        Assert.Equal([CreateTransferResult.Created, CreateTransferResult.PendingTransferExpired], results);
        Assert.True(machine.TryGetPendingStatus(9, out var status));
        Assert.Equal(PendingStatus.Pending, status); // released by the next pulse
        machine.Pulse(10 + Second);
        Assert.True(machine.TryGetPendingStatus(9, out status));
        Assert.Equal(PendingStatus.Expired, status);
    }

    [Fact]
    public void Balancing_debit_clamps_the_amount_to_the_available_credit()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 4, 30));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 4, 2, UInt128.MaxValue, TransferFlags.BalancingDebit)));
        Assert.Equal((UInt128)30, ledger.StoredTransfer(10).Amount);
        Assert.Equal((UInt128)30, ledger.Account(4).DebitsPosted);
        // Resending with any amount at least the moved one is the same request.
        ledger.AssertRejected(CreateTransferResult.Exists, T(10, 4, 2, 30, TransferFlags.BalancingDebit));
        ledger.AssertRejected(CreateTransferResult.ExistsWithDifferentAmount, T(10, 4, 2, 29, TransferFlags.BalancingDebit));
    }

    [Fact]
    public void Balancing_credit_clamps_the_amount_to_the_available_debit()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 5, 1, 12));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 2, 5, 100, TransferFlags.BalancingCredit)));
        Assert.Equal((UInt128)12, ledger.StoredTransfer(10).Amount);
    }

    [Fact]
    public void Closing_pending_closes_the_account_and_voiding_it_reopens()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 6, 0, Pending | TransferFlags.ClosingDebit));
        Assert.True(ledger.Account(1).Flags.HasFlag(AccountFlags.Closed));
        ledger.AssertRejected(CreateTransferResult.DebitAccountAlreadyClosed, T(10, 1, 2, 5));
        ledger.AssertRejected(CreateTransferResult.CreditAccountAlreadyClosed, T(10, 2, 1, 5));
        ledger.Setup(Void(11, 9));
        Assert.False(ledger.Account(1).Flags.HasFlag(AccountFlags.Closed));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 1, 2, 5)));
    }

    [Fact]
    public void Posting_a_closing_pending_keeps_the_account_closed()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 2, 1, 0, Pending | TransferFlags.ClosingCredit), Post(10, 9));
        Assert.True(ledger.Account(1).Flags.HasFlag(AccountFlags.Closed));
        ledger.AssertRejected(CreateTransferResult.CreditAccountAlreadyClosed, T(11, 2, 1, 5));
    }

    [Fact]
    public void An_expiring_closing_pending_reopens_the_account()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 6, 0, Pending | TransferFlags.ClosingDebit, timeout: 1));
        ledger.Advance(Second);
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 1, 2, 5)));
        Assert.False(ledger.Account(1).Flags.HasFlag(AccountFlags.Closed));
    }

    [Fact]
    public void Void_is_allowed_on_a_closed_account_but_post_is_not()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 5, Pending), T(10, 1, 6, 0, Pending | TransferFlags.ClosingDebit));
        ledger.AssertRejected(CreateTransferResult.DebitAccountAlreadyClosed, Post(11, 9));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(Void(11, 9)));
    }

    [Fact]
    public void Resent_post_with_inherited_fields_is_exists()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, 40, Pending), Post(10, 9));
        ledger.AssertRejected(CreateTransferResult.Exists, Post(10, 9));
        ledger.AssertRejected(CreateTransferResult.Exists, Post(10, 9, amount: 40) with { DebitAccountId = 1, Ledger = 1 });
        ledger.AssertRejected(CreateTransferResult.ExistsWithDifferentAmount, Post(10, 9, amount: 39));
    }

    [Fact]
    public void Overflow_is_a_result_not_a_wrap()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 2, UInt128.MaxValue - 1));
        ledger.AssertRejected(CreateTransferResult.OverflowsDebitsPosted, T(10, 1, 6, 2));
        Assert.Equal(CreateTransferResult.Created, ledger.Transfer(T(10, 1, 6, 1)));
        Assert.Equal(UInt128.MaxValue, ledger.Account(1).DebitsPosted);
    }
}
