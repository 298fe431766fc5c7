using CsCheck;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>One step of a random history.</summary>
internal abstract record Step(ulong AdvanceNs);

internal sealed record AccountsStep(Account[] Events, ulong AdvanceNs) : Step(AdvanceNs)
{
    public override string ToString() => $"Accounts(+{AdvanceNs}ns) [{string.Join(", ", Events.Select(Show.Account))}]";
}

internal sealed record TransfersStep(TransferSpec[] Events, bool PulseFirst, ulong AdvanceNs) : Step(AdvanceNs)
{
    public override string ToString() => $"Transfers(+{AdvanceNs}ns, pulseFirst={PulseFirst}) [{string.Join(", ", Events.Select(e => e.ToString()))}]";
}

internal sealed record PulseStep(ulong AdvanceNs) : Step(AdvanceNs)
{
    public override string ToString() => $"Pulse(+{AdvanceNs}ns)";
}

/// <summary>
/// A transfer to send, or (<see cref="RepeatOf"/> ≥ 0) a resend of an earlier event with field <see cref="Tweak"/> changed.
/// For a new post/void, <see cref="Tweak"/> &gt; 0 picks the pending id among the pending transfers sent so far.
/// </summary>
internal readonly record struct TransferSpec(Transfer Transfer, int RepeatOf, int Tweak)
{
    public override string ToString() => RepeatOf >= 0 ? $"Repeat({RepeatOf}, tweak {Tweak})" : Show.Transfer(Transfer);
}

internal static class Show
{
    public static string Account(Account a) =>
        $"A(id={a.Id} l={a.Ledger} c={a.Code} f={a.Flags} r={a.Reserved} dpo={a.DebitsPosted} ts={a.Timestamp} u32={a.UserData32})";

    public static string Transfer(Transfer t) =>
        $"T(id={t.Id} dr={t.DebitAccountId} cr={t.CreditAccountId} amt={t.Amount} p={t.PendingId} to={t.Timeout} l={t.Ledger} c={t.Code} f={t.Flags} ts={t.Timestamp})";
}

/// <summary>
/// CsCheck generators of random ledger histories. Id spaces are tiny on purpose, so duplicates,
/// missing accounts, posts of unknown or already-posted pendings and the like happen often.
/// </summary>
internal static class Histories
{
    private static Gen<UInt128> Small(int lo, int hi) => Gen.Int[lo, hi].Select(i => (UInt128)i);

    private static readonly Gen<UInt128> AccountId = Gen.Frequency(
        (40, Small(1, 6)), (1, Gen.OneOf(UInt128.Zero, UInt128.MaxValue)), (1, Small(7, 8)));

    private static readonly Gen<UInt128> TransferId = Gen.Frequency(
        (40, Small(100, 140)), (1, Gen.OneOf(UInt128.Zero, UInt128.MaxValue)));

    private static readonly Gen<UInt128> Amount = Gen.Frequency(
        (14, Small(0, 60)),
        (2, Gen.OneOf(UInt128.MaxValue, UInt128.MaxValue - 1, UInt128.MaxValue / 2, (UInt128.MaxValue / 2) + 1, UInt128.MaxValue - 30)),
        (1, Gen.UInt128));

    private static readonly Gen<AccountFlags> AccountFlagsGen = Gen.Frequency(
        (10, Gen.Const(AccountFlags.None)),
        (3, Gen.Const(AccountFlags.Linked)),
        (4, Gen.Const(AccountFlags.DebitsMustNotExceedCredits)),
        (4, Gen.Const(AccountFlags.CreditsMustNotExceedDebits)),
        (1, Gen.Const(AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits)),
        (1, Gen.Const(AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits)),
        (1, Gen.Const(AccountFlags.History)),
        (1, Gen.Const(AccountFlags.Closed)),
        (1, Gen.Const((AccountFlags)(1 << 9))));

    public static readonly Gen<Account> AccountGen = Gen.Select(AccountId, Gen.Int[0, 99], AccountFlagsGen, Gen.Int[0, 60], (id, roll, flags, junk) =>
    {
        var a = new Account
        {
            Id = id,
            Ledger = roll < 85 ? 1u : roll < 97 ? 2u : 0u,
            Code = roll % 37 == 0 ? (ushort)0 : (ushort)1,
            Flags = flags,
        };
        switch (junk)
        {
            case 1: a.Reserved = 1; break;
            case 2: a.DebitsPosted = 1; break;
            case 3: a.CreditsPending = 2; break;
            case 4: a.Timestamp = 5; break;
            case 5: a.UserData64 = 9; break;
            case 6: a.UserData128 = 3; break;
            case 7: a.UserData32 = 4; break;
            default: break;
        }
        return a;
    });

    private static readonly Gen<Transfer> TransferGen = Gen.Select(
        Gen.Int[0, 99], TransferId, AccountId, AccountId, Amount, Gen.Int[0, 99], TransferId, Gen.Int[0, 99],
        (kind, id, dr, cr, amount, roll1, pendingId, roll2) =>
        {
            var t = new Transfer
            {
                Id = id,
                DebitAccountId = dr,
                CreditAccountId = cr,
                Amount = amount,
                Ledger = roll2 < 90 ? 1u : roll2 < 97 ? 2u : 0u,
                Code = roll2 % 31 == 0 ? (ushort)0 : (ushort)1,
                UserData32 = roll2 % 17 == 0 ? 1u : 0u,
            };
            if (roll1 % 6 == 0) t.Flags |= TransferFlags.Linked;
            if (roll2 == 42) t.Timestamp = 1;
            if (kind < 40) Single(ref t, roll1, roll2);
            else if (kind < 68) Pending(ref t, roll1, roll2, pendingId);
            else if (kind < 97) PostOrVoid(ref t, kind < 85, roll1, roll2, pendingId);
            else t.Flags |= (TransferFlags)(1 << (8 + (roll1 % 8))) | (TransferFlags)(roll2 & 0xFE);
            return t;
        });

    private static void Single(ref Transfer t, int roll1, int roll2)
    {
        if (roll1 % 7 == 1) t.Flags |= TransferFlags.BalancingDebit;
        if (roll1 % 11 == 2) t.Flags |= TransferFlags.BalancingCredit;
        if (roll1 == 50) t.Flags |= TransferFlags.ClosingDebit;
        if (roll2 == 3) t.Timeout = 1;
    }

    private static void Pending(ref Transfer t, int roll1, int roll2, UInt128 pendingId)
    {
        t.Flags |= TransferFlags.Pending;
        if (roll1 % 9 == 1) t.Flags |= TransferFlags.ClosingDebit;
        if (roll1 % 13 == 2) t.Flags |= TransferFlags.ClosingCredit;
        if (roll1 % 10 == 3) t.Flags |= TransferFlags.BalancingDebit;
        if (roll2 >= 55) t.Timeout = (uint)(roll2 % 4);
        if (roll2 == 98) t.Timeout = uint.MaxValue;
        if (roll2 == 99) t.PendingId = pendingId;
    }

    private static void PostOrVoid(ref Transfer t, bool post, int roll1, int roll2, UInt128 pendingId)
    {
        t.Flags |= post ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer;
        t.PendingId = roll2 == 7 ? t.Id : pendingId;
        if (roll2 % 5 != 0) t.DebitAccountId = 0;
        if (roll2 % 7 != 0) t.CreditAccountId = 0;
        if (roll1 < 40) t.Amount = 0;
        else if (roll1 < 55) t.Amount = UInt128.MaxValue;
        else if (roll1 < 95) t.Amount %= 61;
        if (roll2 % 3 != 0) t.Ledger = 0;
        if (roll2 % 4 != 0) t.Code = 0;
        if (roll2 == 11) t.Timeout = 2;
        if (roll1 == 97) t.Flags |= TransferFlags.Pending;
        if (roll1 == 98) t.Flags |= TransferFlags.BalancingCredit;
    }

    private static readonly Gen<TransferSpec> SpecGen = Gen.Frequency(
        (9, Gen.Select(TransferGen, Gen.Int[0, 9], Gen.Int[0, 1000], (t, pick, which) => new TransferSpec(t, -1, pick < 7 ? which + 1 : 0))),
        (2, Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 9], (i, tweak) => new TransferSpec(default, i, tweak))));

    private static readonly Gen<ulong> Advance = Gen.Frequency(
        (6, Gen.ULong[1, 100]), (2, Gen.ULong[400_000_000, 3_000_000_000]));

    private static readonly Gen<Step> StepGen = Gen.Frequency(
        (2, Gen.Select(AccountGen.Array[1, 5], Advance, (e, adv) => (Step)new AccountsStep(e, adv))),
        (7, Gen.Select(SpecGen.Array[1, 8], Gen.Bool, Advance, (e, pulse, adv) => (Step)new TransfersStep(e, pulse, adv))),
        (1, Advance.Select(adv => (Step)new PulseStep(adv))));

    /// <summary>Accounts 1–6, mostly valid, with random limit flags: most transfers then find their accounts.</summary>
    private static readonly Gen<Account[]> Setup = Gen.Int[0, 8].Array[6].Select(rolls => rolls.Select((roll, i) => new Account
    {
        Id = (UInt128)(i + 1),
        Ledger = roll == 8 ? 2u : 1u,
        Code = 1,
        Flags = roll switch
        {
            < 4 => AccountFlags.None,
            < 6 => AccountFlags.DebitsMustNotExceedCredits,
            < 8 => AccountFlags.CreditsMustNotExceedDebits,
            _ => AccountFlags.History,
        },
    }).ToArray());

    /// <summary>A history: an initial batch of accounts, then 1–30 steps.</summary>
    public static readonly Gen<(Account[] Setup, Step[] Steps)> History =
        Gen.Select(Setup, StepGen.Array[1, 30], (setup, steps) => (setup, steps));
}
