namespace Banyan.Aml;

/// <summary>STRUCTURING: ≥ N cash deposits into one account within the window, each in [lower%, 100%) of the cash threshold, together ≥ it.</summary>
internal sealed class StructuringRule(RuleContext ctx) : Rule(ctx)
{
    private readonly DenseMap<EventWindow> _windows = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        if (t.Channel != Channel.Cash || !Ctx.IsInternal(t.Credit)) return;
        var threshold = Config.CashReportingThresholdMinor;
        var lower = threshold / 100 * Config.StructuringLowerPercent + threshold % 100 * Config.StructuringLowerPercent / 100;
        if (t.Amount < lower || t.Amount >= threshold) return;
        var span = Config.StructuringWindowHours * Ticks.PerHour;
        var window = State(_windows, t.Credit);
        window.Expire(t.Ticks, span);
        window.Add(new Event(t.Ticks, t.Amount, t.Seq, t.Debit));
        if (window.Count < Config.StructuringMinDeposits || window.Sum < threshold) return;
        Report(t, window, lower, threshold, span);
    }

    // Separate so the reason's closure is allocated only when the rule fires, not on every transaction.
    private void Report(in Txn t, EventWindow window, long lower, long threshold, long span)
    {
        var count = window.Count;
        var sum = window.Sum;
        var first = window.FirstTicks;
        var account = t.Credit;
        var now = t.Ticks;
        var score = 0.6 + 0.1 * (count - Config.StructuringMinDeposits) + 0.2 * Math.Min(1.0, sum / (double)threshold / count);
        Ctx.Alerts.Raise(Typology.Structuring, account, now, span, score,
            () => $"{count} cash deposits into account {Ctx.Id(account)} within {Hours(now - first)} (window {Config.StructuringWindowHours} h) totalling {Ctx.Money(sum)}, each between {Ctx.Money(lower)} and just under the {Ctx.Money(threshold)} cash reporting threshold.",
            window.Seqs);
    }
}

/// <summary>FAN_IN / FAN_OUT: an individual's account credited by (or paying) ≥ N distinct accounts within the window, transfers and wires only.</summary>
internal sealed class FanRule(RuleContext ctx, bool inbound) : Rule(ctx)
{
    private readonly DenseMap<EventWindow> _windows = new();
    private readonly HashSet<int> _distinct = [];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        if (t.Channel is not (Channel.Transfer or Channel.Wire)) return;
        var subject = inbound ? t.Credit : t.Debit;
        var other = inbound ? t.Debit : t.Credit;
        if (!Ctx.IsIndividual(subject)) return;
        var hours = inbound ? Config.FanInWindowHours : Config.FanOutWindowHours;
        var min = inbound ? Config.FanInMinDistinct : Config.FanOutMinDistinct;
        var span = hours * Ticks.PerHour;
        var window = State(_windows, subject);
        window.Expire(t.Ticks, span);
        window.Add(new Event(t.Ticks, t.Amount, t.Seq, other));
        if (window.Count < min) return;
        _distinct.Clear();
        foreach (var e in window.Events) _distinct.Add(e.Other);
        if (_distinct.Count < min) return;
        Report(t, window, subject, hours, min, span);
    }

    private void Report(in Txn t, EventWindow window, int subject, int hours, int min, long span)
    {
        var distinct = _distinct.Count;
        var (count, sum, first, now) = (window.Count, window.Sum, window.FirstTicks, t.Ticks);
        var score = 0.6 + 0.4 * Math.Min(1.0, (distinct - min) / (double)min);
        Ctx.Alerts.Raise(inbound ? Typology.FanIn : Typology.FanOut, subject, now, span, score,
            () => inbound
                ? $"Individual's account {Ctx.Id(subject)} was credited by {distinct} distinct accounts within {Hours(now - first)} (limit {min} in {hours} h): {count} transfers/wires totalling {Ctx.Money(sum)}."
                : $"Individual's account {Ctx.Id(subject)} paid {distinct} distinct accounts within {Hours(now - first)} (limit {min} in {hours} h): {count} transfers/wires totalling {Ctx.Money(sum)}.",
            window.Seqs);
    }
}

/// <summary>
/// PASS_THROUGH: an individual receives ≥ the minimum in one credit and sends out [min%, max%] of it within
/// the out-window (one "cycle"); the required number of cycles with credits within the cycle window alerts.
/// </summary>
internal sealed class PassThroughRule(RuleContext ctx) : Rule(ctx)
{
    private sealed class Pending
    {
        public required Event Credit { get; init; }
        public long Out { get; set; }
        public List<int> OutSeqs { get; } = [];
    }

    private sealed record Cycle(Event Credit, long Out, long CompletedTicks, int[] Seqs);

    private sealed class AccountState
    {
        public List<Pending> Pending { get; } = [];
        public Queue<Cycle> Cycles { get; } = new();
    }

    private readonly DenseMap<AccountState> _states = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        if (Ctx.IsIndividual(t.Debit) && _states.TryGetValue(t.Debit, out var payer)) Debit(payer, t);
        if (Ctx.IsIndividual(t.Credit) && t.Amount >= Config.PassThroughMinCreditMinor)
        {
            var state = State(_states, t.Credit);
            if (state.Pending.Count >= 64) state.Pending.RemoveAt(0);
            state.Pending.Add(new Pending { Credit = new Event(t.Ticks, t.Amount, t.Seq, t.Debit) });
        }
    }

    private void Debit(AccountState state, in Txn t)
    {
        var outSpan = Config.PassThroughOutWindowHours * Ticks.PerHour;
        var now = t.Ticks;
        state.Pending.RemoveAll(p => now - p.Credit.Ticks > outSpan);
        for (var i = state.Pending.Count - 1; i >= 0; i--)
        {
            var pending = state.Pending[i];
            pending.Out += t.Amount;
            pending.OutSeqs.Add(t.Seq);
            var credit = pending.Credit.Amount;
            if (pending.Out * 100 > credit * Config.PassThroughMaxOutPercent) state.Pending.RemoveAt(i);
            else if (pending.Out * 100 >= credit * Config.PassThroughMinOutPercent)
            {
                state.Pending.RemoveAt(i);
                state.Cycles.Enqueue(new Cycle(pending.Credit, pending.Out, now, [pending.Credit.Seq, .. pending.OutSeqs]));
            }
        }
        var cycleSpan = Config.PassThroughCycleWindowDays * Ticks.PerDay;
        while (state.Cycles.Count > 0 && now - state.Cycles.Peek().Credit.Ticks > cycleSpan) state.Cycles.Dequeue();
        if (state.Cycles.Count < Config.PassThroughCycles) return;
        var cycles = state.Cycles.ToArray();
        var account = t.Debit;
        var score = 0.65 + 0.1 * (cycles.Length - Config.PassThroughCycles) + 0.25 * cycles.Average(c => 1.0 - Math.Abs(c.Out / (double)c.Credit.Amount - 1.0) * 10);
        Ctx.Alerts.Raise(Typology.PassThrough, account, now, cycleSpan, score,
            () => $"Individual's account {Ctx.Id(account)} passed money straight through {cycles.Length} times within {Days(now - cycles[0].Credit.Ticks)} (limit {Config.PassThroughCycles} in {Config.PassThroughCycleWindowDays} days): "
                + string.Join("; ", cycles.Select(c => $"received {Ctx.Money(c.Credit.Amount)} and sent out {Ctx.Money(c.Out)} ({Pct(c.Out * 100.0 / c.Credit.Amount)}) within {Hours(c.CompletedTicks - c.Credit.Ticks)}")) + ".",
            cycles.SelectMany(c => c.Seqs));
    }
}

/// <summary>
/// ROUND_TRIP: chains of 2..max transfers between customer accounts, each ≥ the minimum and within ±tolerance
/// of the first amount, consecutive hops ≤ max-hop hours apart, that return to the origin within max days.
/// Partial chains wait at the account they reached; each outgoing transfer may extend them.
/// </summary>
internal sealed class RoundTripRule(RuleContext ctx) : Rule(ctx)
{
    private sealed record Chain(int Origin, long FirstAmount, long FirstTicks, long LastTicks, int[] Path, int[] Seqs, long[] Amounts);

    private const int MaxChainsPerAccount = 32;
    private readonly DenseMap<List<Chain>> _waiting = new();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Observe(in Txn t)
    {
        if (t.Channel is not (Channel.Transfer or Channel.Wire) || t.Amount < Config.RoundTripMinAmountMinor) return;
        if (!Ctx.IsInternal(t.Debit) || !Ctx.IsInternal(t.Credit)) return;
        var now = t.Ticks;
        var hop = Config.RoundTripMaxHopHours * Ticks.PerHour;
        var total = Config.RoundTripMaxDays * Ticks.PerDay;
        if (_waiting.TryGetValue(t.Debit, out var chains))
        {
            chains.RemoveAll(c => now - c.LastTicks > hop || now - c.FirstTicks > total);
            foreach (var chain in chains.ToArray()) Extend(chain, t);
        }
        Wait(t.Credit, new Chain(t.Debit, t.Amount, now, now, [t.Debit, t.Credit], [t.Seq], [t.Amount]));
    }

    private void Extend(Chain chain, in Txn t)
    {
        if (Math.Abs(t.Amount - chain.FirstAmount) * 100 > chain.FirstAmount * Config.RoundTripTolerancePercent) return;
        var hops = chain.Seqs.Length + 1;
        var extended = chain with { LastTicks = t.Ticks, Path = [.. chain.Path, t.Credit], Seqs = [.. chain.Seqs, t.Seq], Amounts = [.. chain.Amounts, t.Amount] };
        if (t.Credit == chain.Origin)
        {
            Complete(extended, t.Ticks);
            return;
        }
        if (hops < Config.RoundTripMaxHops && !chain.Path.Contains(t.Credit)) Wait(t.Credit, extended);
    }

    private void Wait(int account, Chain chain)
    {
        if (!_waiting.TryGetValue(account, out var list)) _waiting[account] = list = [];
        if (list.Count >= MaxChainsPerAccount) list.RemoveAt(0);
        list.Add(chain);
    }

    private void Complete(Chain c, long now)
    {
        var deviation = c.Amounts.Max(a => Math.Abs(a - c.FirstAmount) * 100.0 / c.FirstAmount);
        var score = 0.6 + 0.1 * (c.Seqs.Length - 2) + 0.2 * (1.0 - deviation / Math.Max(1, Config.RoundTripTolerancePercent));
        Ctx.Alerts.Raise(Typology.RoundTrip, c.Origin, now, Config.RoundTripMaxDays * Ticks.PerDay, score,
            () => $"Money left account {Ctx.Id(c.Origin)} and came back within {Days(now - c.FirstTicks)} through {c.Seqs.Length} transfers "
                + $"{string.Join(" → ", c.Path.Select(Ctx.Id))} ({string.Join(", ", c.Amounts.Select(a => Ticks.Money(a)))} {Ctx.Ccy}; at most {Pct(deviation)} from the first amount, limit ±{Config.RoundTripTolerancePercent}%).",
            c.Seqs);
    }
}
