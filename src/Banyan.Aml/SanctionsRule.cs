namespace Banyan.Aml;

/// <summary>
/// SANCTIONS_MATCH on counterparty names (per transaction; each distinct name is screened once and remembered)
/// and on customer names (once, at the start). Subject: the bank's own side of the transaction.
/// </summary>
internal sealed class SanctionsRule(RuleContext ctx, Func<SanctionsMatcher?> lists) : Rule(ctx)
{
    private const long EpisodeGap = 30 * Ticks.PerDay;
    private readonly Dictionary<int, SanctionsHit?> _screened = [];
    private SanctionsMatcher? _cachedFor;

    /// <summary>The list in force; a new list (refreshed without restart) forgets every remembered screening.</summary>
    private SanctionsMatcher? Matcher()
    {
        var current = lists();
        if (!ReferenceEquals(current, _cachedFor))
        {
            _screened.Clear();
            _cachedFor = current;
        }
        return current;
    }

    public void ScreenCustomers(long ticks)
    {
        foreach (var customer in Ctx.Bank.Customers) ScreenCustomer(customer, ticks);
    }

    /// <summary>Screens one customer's name (batch: every customer at the start; live: at registration).</summary>
    public void ScreenCustomer(Customer customer, long ticks)
    {
        if (Matcher()?.Match(customer.Name) is not { } hit) return;
        var subject = customer.Accounts.Count > 0 ? customer.Accounts[0] : -1;
        Ctx.Alerts.Raise(Typology.SanctionsMatch, subject, ticks, EpisodeGap, hit.Similarity,
            () => $"Customer {customer.Id} name \"{customer.Name}\" matches sanctions entry \"{hit.MatchedName}\" ({hit.Entry.List}, {hit.Entry.Country}) with similarity {hit.Similarity:0.000} (threshold {Config.SanctionsThreshold:0.00}).",
            []);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        if (t.Counterparty < 0 || Matcher() is not { } matcher) return;
        if (!_screened.TryGetValue(t.Counterparty, out var result))
            _screened[t.Counterparty] = result = matcher.Match(Ctx.Bank.CounterpartyNames[t.Counterparty]);
        if (result is not { } hit) return;
        Report(t, hit);
    }

    private void Report(in Txn t, SanctionsHit hit)
    {
        var subject = Ctx.IsInternal(t.Debit) ? t.Debit : t.Credit;
        var (name, amount) = (Ctx.Bank.CounterpartyNames[t.Counterparty], t.Amount);
        Ctx.Alerts.Raise(Typology.SanctionsMatch, subject, t.Ticks, EpisodeGap, hit.Similarity,
            () => $"Account {Ctx.Id(subject)} dealt {Ctx.Money(amount)} with counterparty \"{name}\", which matches sanctions entry \"{hit.MatchedName}\" ({hit.Entry.List}, {hit.Entry.Country}) with similarity {hit.Similarity:0.000} (threshold {Config.SanctionsThreshold:0.00}).",
            [t.Seq]);
    }
}
