namespace Banyan.Ledger.Http.ReadModels;

/// <summary>An account's four balances as the read models reconstruct them from its transfers.</summary>
internal readonly record struct Balances(UInt128 DebitsPending, UInt128 DebitsPosted, UInt128 CreditsPending, UInt128 CreditsPosted)
{
    /// <summary>
    /// The balances after <paramref name="t"/> (a stored transfer: the amount actually moved) touched
    /// <paramref name="account"/>. <paramref name="pendingAmount"/> is the amount of the pending
    /// transfer a post or void resolves (its reservation is released in full; a post then moves its own amount).
    /// Checked arithmetic: an underflow means the read model is missing a transfer, which must not pass silently.
    /// </summary>
    public Balances Apply(in Transfer t, UInt128 account, UInt128 pendingAmount)
    {
        var debit = t.DebitAccountId == account;
        var credit = t.CreditAccountId == account;
        if (!debit && !credit) return this;
        var b = this;
        if ((t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0)
        {
            b = debit ? b with { DebitsPending = checked(b.DebitsPending - pendingAmount) } : b with { CreditsPending = checked(b.CreditsPending - pendingAmount) };
            if ((t.Flags & TransferFlags.VoidPendingTransfer) != 0) return b;
            return debit ? b with { DebitsPosted = checked(b.DebitsPosted + t.Amount) } : b with { CreditsPosted = checked(b.CreditsPosted + t.Amount) };
        }
        if ((t.Flags & TransferFlags.Pending) != 0)
        {
            return debit ? b with { DebitsPending = checked(b.DebitsPending + t.Amount) } : b with { CreditsPending = checked(b.CreditsPending + t.Amount) };
        }
        return debit ? b with { DebitsPosted = checked(b.DebitsPosted + t.Amount) } : b with { CreditsPosted = checked(b.CreditsPosted + t.Amount) };
    }

    /// <summary>The balances after an expiry released a pending transfer of <paramref name="amount"/> on the given side.</summary>
    public Balances Release(bool debit, UInt128 amount) =>
        debit ? this with { DebitsPending = checked(DebitsPending - amount) } : this with { CreditsPending = checked(CreditsPending - amount) };

    public LedgerBalanceRow ToRow(UInt128 account, ulong timestamp) => new()
    {
        AccountId = Columns.Id(account),
        Timestamp = Columns.Timestamp(timestamp),
        DebitsPending = Columns.Amount(DebitsPending),
        DebitsPosted = Columns.Amount(DebitsPosted),
        CreditsPending = Columns.Amount(CreditsPending),
        CreditsPosted = Columns.Amount(CreditsPosted),
    };

    public static Balances FromRow(LedgerBalanceRow r) => new(
        Columns.ParseAmount(r.DebitsPending), Columns.ParseAmount(r.DebitsPosted),
        Columns.ParseAmount(r.CreditsPending), Columns.ParseAmount(r.CreditsPosted));
}
