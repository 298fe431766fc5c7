namespace Banyan.Aml;

/// <summary>
/// DORMANT_REACTIVATION: an account with no activity for ≥ the inactive days (its <c>last_activity_at</c>, else its
/// last transaction, else its opening) moves ≥ the minimum. A small "test" transaction does not hide the reactivation:
/// moves of the minimum within the reactivation window after dormancy ended still count (and join one alert).
/// </summary>
internal sealed class DormantRule(RuleContext ctx) : Rule(ctx)
{
    private sealed class AccountState
    {
        public long LastActive { get; set; } = long.MinValue;
        public long ReactivatedAt { get; set; } = long.MinValue;
        public long DormantSince { get; set; }
    }

    private readonly DenseMap<AccountState> _states = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        Touch(t.Debit, t, "paid out");
        Touch(t.Credit, t, "received");
    }

    private void Touch(int account, in Txn t, string verb)
    {
        var info = Ctx.Info(account);
        if (info.Customer is null) return;
        if (!_states.TryGetValue(account, out var state))
        {
            _states[account] = state = new AccountState { LastActive = info.LastActivityAt != long.MinValue ? info.LastActivityAt : info.OpenedAt };
        }
        var now = t.Ticks;
        var limit = Config.DormantInactiveDays * Ticks.PerDay;
        if (state.LastActive != long.MinValue && now - state.LastActive >= limit) (state.ReactivatedAt, state.DormantSince) = (now, state.LastActive);
        state.LastActive = Math.Max(state.LastActive, now);
        var window = Config.DormantReactivationWindowDays * Ticks.PerDay;
        if (state.ReactivatedAt == long.MinValue || now - state.ReactivatedAt > window || t.Amount < Config.DormantMinAmountMinor) return;
        Report(account, t, verb, state, limit, window);
    }

    private void Report(int account, in Txn t, string verb, AccountState state, long limit, long window)
    {
        var now = t.Ticks;
        var (amount, since, reactivated) = (t.Amount, state.DormantSince, state.ReactivatedAt);
        var idle = reactivated - since;
        var score = 0.6 + 0.2 * Math.Min(1.0, (idle - limit) / (double)(365 * Ticks.PerDay)) + 0.2 * Math.Min(1.0, amount / (10.0 * Config.DormantMinAmountMinor));
        Ctx.Alerts.Raise(Typology.DormantReactivation, account, now, window, score,
            () => $"Account {Ctx.Id(account)} was inactive for {Days(idle)} (from {Ticks.Iso(since)} to {Ticks.Iso(reactivated)}; limit {Config.DormantInactiveDays} days) and then {verb} {Ctx.Money(amount)} (limit {Ctx.Money(Config.DormantMinAmountMinor)}).",
            [t.Seq]);
    }
}

/// <summary>PROFILE_MISMATCH: an individual's credits (not from their own accounts) over any window exceed N × declared monthly income.</summary>
internal sealed class ProfileMismatchRule(RuleContext ctx) : Rule(ctx)
{
    private readonly DenseMap<EventWindow> _windows = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        var customer = Ctx.Info(t.Credit).Customer;
        if (customer is not { Type: CustomerType.Individual, DeclaredMonthlyIncome: > 0 } || Ctx.Info(t.Debit).Customer == customer) return;
        var span = Config.ProfileWindowDays * Ticks.PerDay;
        var window = State(_windows, customer.Index);
        window.Expire(t.Ticks, span);
        window.Add(new Event(t.Ticks, t.Amount, t.Seq, t.Debit));
        var income = customer.DeclaredMonthlyIncome.Value;
        var limit = income * Config.ProfileIncomeMultiple;
        if (window.Sum <= limit) return;
        Report(customer, window, t.Ticks, span);
    }

    private void Report(Customer customer, EventWindow window, long ticks, long span)
    {
        var income = customer.DeclaredMonthlyIncome!.Value;
        // One alert per customer: the subject is their primary account, whichever account the credits reached.
        var (sum, count, first, now, account) = (window.Sum, window.Count, window.FirstTicks, ticks, customer.Accounts[0]);
        var ratio = sum / (double)income;
        var score = 0.55 + 0.45 * Math.Min(1.0, ratio / Config.ProfileIncomeMultiple - 1.0);
        Ctx.Alerts.Raise(Typology.ProfileMismatch, account, now, span, score,
            () => $"Customer {customer.Id} received {Ctx.Money(sum)} in {count} credits within {Days(now - first)}, {ratio.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}× the declared monthly income of {Ctx.Money(income)} (limit {Config.ProfileIncomeMultiple}× over {Config.ProfileWindowDays} days).",
            window.Seqs);
    }
}

/// <summary>
/// VELOCITY_SPIKE: an individual's debits in the window ≥ the minimum and &gt; mean + k·σ of their daily debit
/// counts over the prior history days (population σ, days without debits count as 0). Exact integer test.
/// </summary>
internal sealed class VelocityRule(RuleContext ctx) : Rule(ctx)
{
    private sealed class CustomerState(int days)
    {
        public long[] Day { get; } = Enumerable.Repeat(long.MinValue, days + 1).ToArray();
        public int[] Count { get; } = new int[days + 1];
        public EventWindow Recent { get; } = new();
    }

    private readonly DenseMap<CustomerState> _states = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        var customer = Ctx.Info(t.Debit).Customer;
        if (customer is not { Type: CustomerType.Individual }) return;
        var history = Config.VelocityHistoryDays;
        if (!_states.TryGetValue(customer.Index, out var state)) _states[customer.Index] = state = new CustomerState(history);
        var day = Ctx.DayOf(t.Ticks);
        var slot = (int)(day % (history + 1));
        if (state.Day[slot] != day) (state.Day[slot], state.Count[slot]) = (day, 0);
        state.Count[slot]++;
        var span = Config.VelocityWindowHours * Ticks.PerHour;
        state.Recent.Expire(t.Ticks, span);
        state.Recent.Add(new Event(t.Ticks, t.Amount, t.Seq, t.Credit));
        var count = state.Recent.Count;
        if (count < Config.VelocityMinDebits) return;
        long s = 0, ss = 0;
        for (var d = day - history; d < day; d++)
        {
            var i = (int)(d % (history + 1));
            long c = state.Day[i] == d ? state.Count[i] : 0;
            s += c;
            ss += c * c;
        }
        // count > mean + kσ  ⇔  H·count − S > k·√(H·SS − S²)  (both sides scaled by H; exact in integers)
        // Int128: a customer with a million debits a day must not overflow the exact test.
        var lhs = (Int128)history * count - s;
        var variance = (Int128)history * ss - (Int128)s * s;
        var k = (long)Config.VelocitySigmas;
        if (lhs <= 0 || lhs * lhs <= k * k * variance) return;
        Report(customer, state, t.Ticks, count, s, (double)variance, history, k, span);
    }

    private void Report(Customer customer, CustomerState state, long ticks, int count, long s, double variance, int history, long k, long span)
    {
        var mean = s / (double)history;
        var sigma = Math.Sqrt(variance) / history;
        var (account, now, first) = (customer.Accounts[0], ticks, state.Recent.FirstTicks);
        var limit = Math.Max(Config.VelocityMinDebits, mean + k * sigma);
        var score = 0.6 + 0.4 * Math.Min(1.0, (count - limit) / limit);
        Ctx.Alerts.Raise(Typology.VelocitySpike, account, now, span, score,
            () => $"Customer {customer.Id} made {count} debits within {Hours(now - first)} (primary account {Ctx.Id(account)}); over the prior {history} days they averaged {mean:0.00} a day (σ {sigma:0.00}), so the limit was {Config.VelocityMinDebits} and mean + {k}σ = {mean + k * sigma:0.00}.",
            state.Recent.Seqs);
    }
}

/// <summary>
/// NEW_ACCOUNT_MULE: within the first days after opening, ≥ N credits totalling ≥ the minimum, and ≥ out% of that
/// total debited within the out-window after the first credit. One alert per account (the episode is its youth).
/// </summary>
internal sealed class NewAccountMuleRule(RuleContext ctx) : Rule(ctx)
{
    private sealed class AccountState
    {
        public int Credits { get; set; }
        public long In { get; set; }
        public long Out { get; set; }
        public long FirstCredit { get; set; } = long.MinValue;
        public List<int> Seqs { get; } = [];
    }

    private readonly DenseMap<AccountState> _states = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        var youth = Config.MuleAccountAgeDays * Ticks.PerDay;
        var credit = Ctx.Info(t.Credit);
        if (credit.Customer is not null && credit.OpenedAt != long.MinValue && t.Ticks >= credit.OpenedAt && t.Ticks - credit.OpenedAt <= youth)
        {
            var state = State(_states, t.Credit);
            state.Credits++;
            state.In = Limits.SaturatingAdd(state.In, t.Amount);
            if (state.FirstCredit == long.MinValue) state.FirstCredit = t.Ticks;
            if (state.Seqs.Count < Alert.MaxTransactionIds) state.Seqs.Add(t.Seq);
            Check(t.Credit, state, t.Ticks);
        }
        if (_states.TryGetValue(t.Debit, out var payer) && payer.FirstCredit != long.MinValue
            && t.Ticks - payer.FirstCredit <= Config.MuleOutWindowHours * Ticks.PerHour)
        {
            payer.Out = Limits.SaturatingAdd(payer.Out, t.Amount);
            if (payer.Seqs.Count < Alert.MaxTransactionIds) payer.Seqs.Add(t.Seq);
            Check(t.Debit, payer, t.Ticks);
        }
    }

    private void Check(int account, AccountState s, long now)
    {
        if (s.Credits < Config.MuleMinCredits || s.In < Config.MuleMinTotalMinor || s.Out * 100 < s.In * Config.MuleOutPercent) return;
        var (credits, total, sent, opened) = (s.Credits, s.In, s.Out, Ctx.Info(account).OpenedAt);
        var share = sent * 100.0 / total;
        var score = 0.6 + 0.4 * Math.Min(1.0, (share - Config.MuleOutPercent) / (100.0 - Config.MuleOutPercent + 1));
        Ctx.Alerts.Raise(Typology.NewAccountMule, account, now, long.MaxValue / 4, score,
            () => $"Account {Ctx.Id(account)} opened {Ticks.Iso(opened)} received {credits} credits totalling {Ctx.Money(total)} within its first {Config.MuleAccountAgeDays} days and sent out {Ctx.Money(sent)} ({Pct(share)}, limit {Config.MuleOutPercent}%) within {Config.MuleOutWindowHours} h of the first credit.",
            s.Seqs);
    }
}

/// <summary>HIGH_RISK_JURISDICTION: a debit or credit country on the configured list. Subject: the bank's own side.</summary>
internal sealed class HighRiskRule(RuleContext ctx) : Rule(ctx)
{
    private readonly HashSet<ushort> _countries = ctx.Config.HighRiskCountries.Select(c => Country.Pack(c)).ToHashSet();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        var debitRisk = _countries.Contains(t.DebitCountry);
        var creditRisk = _countries.Contains(t.CreditCountry);
        if (!debitRisk && !creditRisk) return;
        Report(t, debitRisk, creditRisk);
    }

    private void Report(in Txn t, bool debitRisk, bool creditRisk)
    {
        // The subject is the customer account dealing with the risky side.
        var subject = creditRisk && Ctx.IsInternal(t.Debit) ? t.Debit
            : debitRisk && Ctx.IsInternal(t.Credit) ? t.Credit
            : Ctx.IsInternal(t.Debit) ? t.Debit : t.Credit;
        var (amount, now, dc, cc) = (t.Amount, t.Ticks, Country.Unpack(t.DebitCountry), Country.Unpack(t.CreditCountry));
        var score = 0.7 + 0.2 * Math.Min(1.0, amount / 10_000_000.0) + (debitRisk && creditRisk ? 0.1 : 0.0);
        var risky = string.Join(" and ", new[] { debitRisk ? dc : null, creditRisk ? cc : null }.Where(c => c is not null).Distinct());
        Ctx.Alerts.Raise(Typology.HighRiskJurisdiction, subject, now, 7 * Ticks.PerDay, score,
            () => $"Account {Ctx.Id(subject)}: {Ctx.Money(amount)} moved from {dc} to {cc}; {risky} is on the high-risk jurisdiction list ({string.Join(", ", Config.HighRiskCountries)}).",
            [t.Seq]);
    }
}
