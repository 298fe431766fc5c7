using System.Globalization;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Data;

namespace Banyan.RegTech.Compute;

/// <summary>Everything a computation reads: the mapping and the data sources.</summary>
internal sealed record ComputeInputs(BaseMapping Mapping, IBankData Bank, ICutoffs Cutoffs, IPortfolioSource? Portfolio, IReportCountSource? Reports);

/// <summary>
/// The base quantities as of one reporting date (and the comparison dates its expressions name),
/// computed once from one balance read per date. Deterministic: the same data gives the same values
/// and the same drill-down order.
/// </summary>
internal sealed class Evaluation
{
    private const int MaxQuantities = 10_000;
    private readonly ComputeInputs _inputs;
    private readonly Dictionary<QuantityRef, QuantityValue> _values = [];
    private readonly Dictionary<string, Expr> _parsed = [];

    private Evaluation(ComputeInputs inputs, DateOnly asOf)
    {
        _inputs = inputs;
        AsOf = asOf;
    }

    public DateOnly AsOf { get; }

    public IReadOnlyDictionary<QuantityRef, QuantityValue> Values => _values;

    public static DateOnly DateFor(DateOnly asOf, string? at) => at switch
    {
        null => asOf,
        "prev_year_end" => new DateOnly(asOf.Year - 1, 12, 31),
        "prev_month_end" => new DateOnly(asOf.Year, asOf.Month, 1).AddDays(-1),
        "prev_quarter_end" => new DateOnly(asOf.Year, ((asOf.Month - 1) / 3 * 3) + 1, 1).AddDays(-1),
        _ => throw new ArgumentOutOfRangeException(nameof(at), at, "unknown comparison date"),
    };

    /// <summary>Computes every quantity the given expressions need, transitively.</summary>
    public static async Task<Evaluation> RunAsync(ComputeInputs inputs, DateOnly asOf, IEnumerable<Expr> roots, CancellationToken cancellationToken)
    {
        var evaluation = new Evaluation(inputs, asOf);
        var needed = evaluation.Closure(roots);
        foreach (var group in needed.Where(r => Kind(inputs, r) != "expr").GroupBy(r => r.At).OrderBy(g => g.Key, StringComparer.Ordinal))
            await evaluation.ComputeLeavesAsync(DateFor(asOf, group.Key), group.ToList(), cancellationToken);
        foreach (var r in needed.Where(r => Kind(inputs, r) == "expr")) evaluation.EvaluateExpressionQuantity(r);
        return evaluation;
    }

    public Expr ParsedExpression(string id, string text)
    {
        if (!_parsed.TryGetValue(id, out var e)) _parsed[id] = e = Expr.Parse(text);
        return e;
    }

    /// <summary>The value of a quantity reference; throws <see cref="UndefinedFigureException"/> when it has none.</summary>
    public decimal Resolve(QuantityRef r)
    {
        if (!_values.TryGetValue(r, out var v)) v = EvaluateExpressionQuantity(r);
        return v.Value ?? throw new UndefinedFigureException($"{r} is undefined: {v.Undefined}");
    }

    public int MonthsElapsed(DateOnly date) => date.Month;

    private static string Kind(ComputeInputs inputs, QuantityRef r) =>
        inputs.Mapping.QuantitiesById.TryGetValue(r.Id, out var q) ? q.Kind : throw new InvalidDataException($"unknown quantity '{r.Id}'");

    private List<QuantityRef> Closure(IEnumerable<Expr> roots)
    {
        var seen = new List<QuantityRef>();
        var stack = new Stack<QuantityRef>(roots.SelectMany(e => e.References()).Reverse());
        while (stack.Count > 0)
        {
            var r = stack.Pop();
            if (seen.Contains(r)) continue;
            if (seen.Count >= MaxQuantities) throw new InvalidDataException("too many quantities");
            seen.Add(r);
            var q = _inputs.Mapping.QuantitiesById.TryGetValue(r.Id, out var d) ? d : throw new InvalidDataException($"unknown quantity '{r.Id}'");
            // A reference inside a dated expression inherits its date ("a@prev_year_end" of "b - c" means b and c then).
            if (q.Kind == "expr")
                foreach (var inner in ParsedExpression(q.Id, q.Expr!).References()) stack.Push(inner with { At = inner.At ?? r.At });
            if (q.Kind == "group_count_at_least") stack.Push(new QuantityRef(q.Of!, r.At));
        }
        return seen;
    }

    private QuantityValue EvaluateExpressionQuantity(QuantityRef r)
    {
        if (_values.TryGetValue(r, out var done)) return done;
        var q = _inputs.Mapping.QuantitiesById[r.Id];
        if (q.Kind != "expr") throw new InvalidOperationException($"quantity {r} was not computed");
        var date = DateFor(AsOf, r.At);
        var expr = ParsedExpression(q.Id, q.Expr!);
        decimal? value = null;
        string? undefined = null;
        try
        {
            value = expr.Evaluate(inner => Resolve(inner with { At = inner.At ?? r.At }), MonthsElapsed(date));
        }
        catch (UndefinedFigureException e)
        {
            undefined = e.Message;
        }
        catch (OverflowException)
        {
            undefined = "arithmetic overflow";
        }
        var result = new QuantityValue(r, date, "expr", q.Name, value, undefined, "expression", [], q.Expr);
        _values[r] = result;
        return result;
    }

    private async Task ComputeLeavesAsync(DateOnly date, List<QuantityRef> refs, CancellationToken cancellationToken)
    {
        var cutoff = await _inputs.Cutoffs.CutoffAsync(date, cancellationToken);
        var placed = Placement.Place(_inputs.Mapping, await _inputs.Bank.BalancesAsync(cutoff, cancellationToken));
        // Concentration against capital needs the capital first: ordinary leaves, then those.
        foreach (var r in refs.OrderBy(r => Kind(_inputs, r) == "group_count_at_least" ? 1 : 0))
        {
            var q = _inputs.Mapping.QuantitiesById[r.Id];
            _values[r] = q.Kind switch
            {
                "sum" => Leaves.Sum(r, date, q, placed),
                "group_max" => Leaves.Groups(r, date, q, placed, 1),
                "group_top" => Leaves.Groups(r, date, q, placed, q.N),
                "group_count" => Leaves.GroupCount(r, date, q, placed, 0m),
                "group_count_at_least" => Leaves.GroupCount(r, date, q, placed, q.Ratio * Resolve(new QuantityRef(q.Of!, r.At))),
                "transfer_count" or "transfer_amount" => await TransfersAsync(r, date, q, cutoff, cancellationToken),
                "portfolio" => await PortfolioAsync(r, date, q, cancellationToken),
                "source" => await SourceAsync(r, date, q, cancellationToken),
                _ => throw new InvalidDataException($"quantity '{q.Id}': kind {q.Kind} is not a leaf"),
            };
        }
    }

    private async Task<QuantityValue> TransfersAsync(QuantityRef r, DateOnly date, QuantityDefinition q, ulong cutoff, CancellationToken cancellationToken)
    {
        var from = await _inputs.Cutoffs.CutoffAsync(DateFor(date, "prev_month_end"), cancellationToken);
        var transfers = (await _inputs.Bank.TransfersAsync(from, cutoff, (UInt128)q.MinAmount, cancellationToken))
            .Where(t => _inputs.Mapping.IncludesLedger(t.Ledger)).ToList();
        var rows = transfers.Select(t => new Contribution("ledger.transfers", Ledger: t.Ledger, Code: t.Code,
            Amount: checked((long)t.Amount), TransferId: t.Id.ToString(CultureInfo.InvariantCulture))).ToList();
        var count = q.Kind == "transfer_count";
        return new QuantityValue(r, date, q.Kind, q.Name, count ? rows.Count : rows.Sum(c => c.Amount), null, count ? "count" : "amount", rows);
    }

    private async Task<QuantityValue> PortfolioAsync(QuantityRef r, DateOnly date, QuantityDefinition q, CancellationToken cancellationToken)
    {
        var figures = _inputs.Portfolio is null ? null : await _inputs.Portfolio.FiguresAsync(date, cancellationToken);
        if (figures is null)
        {
            // Documented choice: without loan-book figures for the date the book's loans count as performing (0 here).
            var note = "no loan-book figures for this date (ILoanPortfolio gives the current book only); counted as 0";
            return new QuantityValue(r, date, q.Kind, q.Name, 0m, null, "amount", [new Contribution("lending.portfolio", Amount: 0, Note: note)]);
        }
        var amount = q.Field switch
        {
            "non_performing_loans" => figures.NonPerformingLoans,
            "special_mention" => figures.ByCategory.Count > 1 ? figures.ByCategory[1] : 0,
            "loan_loss_reserve" => figures.LoanLossReserve,
            "gross_loans" => figures.GrossLoans,
            _ => throw new InvalidDataException($"quantity '{q.Id}': unknown portfolio field '{q.Field}'"),
        };
        return new QuantityValue(r, date, q.Kind, q.Name, amount, null, "amount",
            [new Contribution("lending.portfolio", Amount: amount, Note: $"ILoanPortfolio.{q.Field}")]);
    }

    private async Task<QuantityValue> SourceAsync(QuantityRef r, DateOnly date, QuantityDefinition q, CancellationToken cancellationToken)
    {
        if (_inputs.Reports is null)
            return new QuantityValue(r, date, q.Kind, q.Name, null, $"no source for '{q.Source}' is registered (no module publishes report counts yet)", "count", []);
        var from = DateFor(date, "prev_month_end").AddDays(1);
        var count = await _inputs.Reports.CountAsync(q.Source!, from, date, cancellationToken);
        return new QuantityValue(r, date, q.Kind, q.Name, count, null, "amount", [new Contribution(q.Source!, Amount: count)]);
    }
}
