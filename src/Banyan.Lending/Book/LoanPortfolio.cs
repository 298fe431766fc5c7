using Banyan.Lending.Contracts;

namespace Banyan.Lending.Book;

/// <summary>Portfolio figures computed from the book in one pass (no ledger reads; the reconciliation tests tie the two).</summary>
internal sealed class LoanPortfolio(LoanBook book) : ILoanPortfolio
{
    public PortfolioFigures Figures() => book.ComputeFigures();

    public PortfolioFigures? FiguresAsOf(DateOnly date) => book.FiguresAsOf(date);
}

internal sealed partial class LoanBook
{
    /// <summary>Closes whose figures are kept (about eleven years of daily closes); older ones are dropped, oldest first.</summary>
    internal const int MaxCloseHistory = 4_000;

    /// <summary>Figures at the end of each completed close, by close date (ascending; closes never go back).</summary>
    private readonly SortedList<DateOnly, PortfolioFigures> _closeHistory = [];

    /// <summary>Guards <see cref="_closeHistory"/> only, so a reader never waits for a running close (which holds the book's gate).</summary>
    private readonly Lock _closeHistoryGate = new();

    /// <summary>Records the figures of a completed close; called with the gate held at the end of <see cref="CloseDayAsync"/> (and so on replay).</summary>
    private void RememberClose(DateOnly date)
    {
        var figures = Compute();
        lock (_closeHistoryGate)
        {
            _closeHistory[date] = figures;
            // A date before the oldest kept close then answers null (unknown), never an older close's figures.
            if (_closeHistory.Count > MaxCloseHistory) _closeHistory.RemoveAt(0);
        }
    }

    /// <summary>The figures of the latest close on or before <paramref name="date"/>; null when none is known.</summary>
    internal PortfolioFigures? FiguresAsOf(DateOnly date)
    {
        lock (_closeHistoryGate)
        {
            var keys = _closeHistory.Keys;
            if (keys.Count == 0 || date < keys[0]) return null;
            // Binary search for the last close date <= date (keys are sorted ascending).
            int lo = 0, hi = keys.Count - 1;
            while (lo < hi)
            {
                var mid = lo + ((hi - lo + 1) / 2);
                if (keys[mid] <= date) lo = mid;
                else hi = mid - 1;
            }
            return _closeHistory.Values[lo];
        }
    }

    internal PortfolioFigures ComputeFigures()
    {
        _gate.Wait();
        try
        {
            return Compute();
        }
        finally
        {
            _gate.Release();
        }
    }

    private PortfolioFigures Compute()
    {
        var byCategory = new long[5];
        var perCustomer = new long[_customerCount];
        long gross = 0, reserve = 0;
        var count = 0;
        for (var i = 0; i < _loanCount; i++)
        {
            ref readonly var loan = ref _loans[i];
            reserve += loan.ProvisionHeld;
            if (loan.Status != LoanStatus.Active) continue;
            count++;
            gross += loan.PrincipalOutstanding;
            byCategory[(int)loan.Category] += loan.PrincipalOutstanding;
            perCustomer[loan.Customer] += loan.Exposure;
        }
        var npl = byCategory[(int)LoanCategory.Substandard] + byCategory[(int)LoanCategory.Doubtful] + byCategory[(int)LoanCategory.Loss];
        var (top10, largest) = TopExposures(perCustomer);
        return new PortfolioFigures(count, gross, byCategory, npl, reserve,
            Ratio(npl, gross), Ratio(reserve, npl), Ratio(reserve, gross), top10, Ratio(top10, gross), largest, Ratio(largest, gross));
    }

    /// <summary>The sum of the ten largest values and the largest, with a 10-slot insertion (no sort of the whole array).</summary>
    private static (long Top10, long Largest) TopExposures(long[] perCustomer)
    {
        Span<long> top = stackalloc long[10];
        foreach (var value in perCustomer)
        {
            if (value <= top[9]) continue;
            var j = 9;
            while (j > 0 && top[j - 1] < value)
            {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = value;
        }
        long sum = 0;
        foreach (var v in top) sum += v;
        return (sum, top[0]);
    }

    private static decimal Ratio(long numerator, long denominator) =>
        denominator == 0 ? 0m : Math.Round((decimal)numerator / denominator, 6, MidpointRounding.AwayFromZero);
}
