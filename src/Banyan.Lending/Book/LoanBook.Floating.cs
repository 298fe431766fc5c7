using Banyan.Lending.Schedules;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    public const int MaxBenchmarkRates = 10_000;
    private readonly Dictionary<string, List<(DateOnly Effective, decimal Rate)>> _benchmarks = new(StringComparer.Ordinal);
    private readonly List<long> _floating = [];

    /// <summary>
    /// Publishes a benchmark rate (e.g. "LPR1Y") effective from a date. Effective dates only move
    /// forward and may not fall on or before the last close, so no loan was priced on a rate that
    /// changes afterwards (decision 0507).
    /// </summary>
    public Outcome<decimal> SetBenchmarkRate(string name, DateOnly effective, decimal rate)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 20) return Outcome<decimal>.Fail(Refusal.Invalid, "benchmark must be 1 to 20 characters");
        if (rate < 0m || rate > 1m) return Outcome<decimal>.Fail(Refusal.Invalid, "rate must be between 0 and 1");
        _gate.Wait();
        try
        {
            if (LastCloseDate is { } closed && effective <= closed) return Outcome<decimal>.Fail(Refusal.WrongState, $"the book was closed for {closed:yyyy-MM-dd}; a rate cannot take effect on or before it");
            if (!_benchmarks.TryGetValue(name, out var table)) _benchmarks[name] = table = [];
            if (table.Count > 0 && effective <= table[^1].Effective) return Outcome<decimal>.Fail(Refusal.WrongState, $"{name} already has a rate effective {table[^1].Effective:yyyy-MM-dd}; effective dates only move forward");
            if (table.Count >= MaxBenchmarkRates) return Outcome<decimal>.Fail(Refusal.Invalid, "too many rates for this benchmark");
            table.Add((effective, rate));
            Record(new JournalEntry { Kind = "benchmark", Reference = name, Date = effective, Rate = rate });
            return Outcome<decimal>.Success(rate);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The benchmark's rate in effect on <paramref name="date"/>, or null before its first rate.</summary>
    public decimal? BenchmarkOn(string name, DateOnly date)
    {
        if (!_benchmarks.TryGetValue(name, out var table)) return null;
        for (var i = table.Count - 1; i >= 0; i--)
        {
            if (table[i].Effective <= date) return table[i].Rate;
        }
        return null;
    }

    /// <summary>A product's rate on a date: fixed, or benchmark + spread (null when there is no benchmark rate yet or it would be negative).</summary>
    private decimal? RateAt(Product product, DateOnly date)
    {
        if (!product.Floating) return product.AnnualRate;
        var rate = BenchmarkOn(product.Benchmark!, date) + product.Spread;
        return rate is >= 0m and <= 1m ? rate : null;
    }

    /// <summary>
    /// Run by the close before its chunks: every floating loan whose reset instalment has started by
    /// <paramref name="date"/> takes benchmark (on the reset date) + spread; when that changes its
    /// rate, the instalments from the reset on are re-amortised over their due dates (keep term) on
    /// their scheduled balance. Moves no money.
    /// </summary>
    private void RepriceFloating(DateOnly date)
    {
        foreach (var number in _floating)
        {
            ref var loan = ref _loans[number - 1];
            if (loan.Status != LoanStatus.Active) continue;
            var product = _productList[loan.Product];
            while (loan.NextReset > 0 && loan.NextReset < loan.ScheduleCount && _instalments[loan.ScheduleOffset + loan.NextReset].Start < date)
            {
                var at = loan.NextReset;
                loan.NextReset += product.RepriceEveryInstalments;
                Reprice(ref loan, product, at);
            }
        }
    }

    private void Reprice(ref LoanState loan, Product product, int at)
    {
        var schedule = _instalments.AsSpan(loan.ScheduleOffset, loan.ScheduleCount);
        var rate = RateAt(product, schedule[at].Start);
        if (rate is null || rate.Value == loan.AnnualRate) return;
        long balance = 0;
        var dues = new DateOnly[schedule.Length - at];
        for (var j = at; j < schedule.Length; j++)
        {
            // A tail already paid into or accrued keeps its rate (cannot happen with daily closes; guarded).
            if (schedule[j].PrincipalPaid > 0 || schedule[j].InterestPaid > 0 || schedule[j].InterestRecognised > 0) return;
            balance += schedule[j].Principal;
            dues[j - at] = schedule[j].Due;
        }
        var rows = Reamortisation.Build(balance, rate.Value, loan.DayCount, product.Amortization, product.Frequency, schedule[at].Start, dues, keepLevel: null);
        var next = loan.NextReset;
        ReplaceSchedule(ref loan, at, ToStates(rows));
        loan.NextReset = next;
        loan.AnnualRate = rate.Value;
    }
}
