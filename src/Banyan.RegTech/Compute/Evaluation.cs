using System.Globalization;
using Banyan.Platform.Money;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Data;

namespace Banyan.RegTech.Compute;

/// <summary>Everything a computation reads: the mapping and the data sources.</summary>
/// Fx: rates for ledgers in other currencies (none: such balances make their quantities undefined);
/// ReportingCurrencies: profile → ISO code (a profile not named reports in the mapping's currency).
internal sealed record ComputeInputs(BaseMapping Mapping, IBankData Bank, ICutoffs Cutoffs, IPortfolioSource? Portfolio, IReportCountSource? Reports,
    FxRates? Fx = null, IReadOnlyDictionary<string, string>? ReportingCurrencies = null)
{
    public string CurrencyFor(string profile) => ReportingCurrencies?.GetValueOrDefault(profile) ?? Mapping.Currency;
}

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

    private Evaluation(ComputeInputs inputs, DateOnly asOf, string currency)
    {
        _inputs = inputs;
        AsOf = asOf;
        Currency = currency;
    }

    public DateOnly AsOf { get; }

    /// <summary>The reporting currency every amount is in (ISO 4217 code).</summary>
    public string Currency { get; }

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
    public static async Task<Evaluation> RunAsync(ComputeInputs inputs, DateOnly asOf, string currency, IEnumerable<Expr> roots, CancellationToken cancellationToken)
    {
        var evaluation = new Evaluation(inputs, asOf, currency);
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
        var fx = new FxContext(_inputs.Fx ?? FxRates.Empty, Currency, date);
        var placed = Placement.Place(_inputs.Mapping, await _inputs.Bank.BalancesAsync(cutoff, cancellationToken), fx);
        // Concentration against capital needs the capital first: ordinary leaves, then those.
        foreach (var r in refs.OrderBy(r => Kind(_inputs, r) == "group_count_at_least" ? 1 : 0))
        {
            var q = _inputs.Mapping.QuantitiesById[r.Id];
            if (q.Kind is "sum" or "group_max" or "group_top" or "group_count" or "group_count_at_least" && Placement.MissingRate(q, placed) is { } missing)
            {
                _values[r] = new QuantityValue(r, date, q.Kind, q.Name, null, missing, "amount", []);
                continue;
            }
            _values[r] = q.Kind switch
            {
                "sum" => Leaves.Sum(r, date, q, placed),
                "group_max" => Leaves.Groups(r, date, q, placed, 1),
                "group_top" => Leaves.Groups(r, date, q, placed, q.N),
                "group_count" => Leaves.GroupCount(r, date, q, placed, 0m),
                "group_count_at_least" => Leaves.GroupCount(r, date, q, placed, q.Ratio * Resolve(new QuantityRef(q.Of!, r.At))),
                "transfer_count" or "transfer_amount" => await TransfersAsync(r, date, q, cutoff, cancellationToken),
                "portfolio" => await PortfolioAsync(r, date, q, fx, cancellationToken),
                "source" => await SourceAsync(r, date, q, cancellationToken),
                _ => throw new InvalidDataException($"quantity '{q.Id}': kind {q.Kind} is not a leaf"),
            };
        }
    }

    private async Task<QuantityValue> TransfersAsync(QuantityRef r, DateOnly date, QuantityDefinition q, ulong cutoff, CancellationToken cancellationToken)
    {
        var from = await _inputs.Cutoffs.CutoffAsync(DateFor(date, "prev_month_end"), cancellationToken);
        var transfers = (await _inputs.Bank.TransfersAsync(from, cutoff, (UInt128)q.MinAmount, cancellationToken))
            .Where(t => _inputs.Mapping.CurrencyOf(t.Ledger) == Currency).ToList();
        var rows = transfers.Select(t => new Contribution("ledger.transfers", Ledger: t.Ledger, Code: t.Code,
            Amount: checked((long)t.Amount), TransferId: t.Id.ToString(CultureInfo.InvariantCulture))).ToList();
        var count = q.Kind == "transfer_count";
        return new QuantityValue(r, date, q.Kind, q.Name, count ? rows.Count : rows.Sum(c => c.Amount), null, count ? "count" : "amount", rows);
    }

    private async Task<QuantityValue> PortfolioAsync(QuantityRef r, DateOnly date, QuantityDefinition q, FxContext fx, CancellationToken cancellationToken)
    {
        var reading = _inputs.Portfolio is null ? null : await _inputs.Portfolio.FiguresAsync(date, cancellationToken);
        if (reading is null)
        {
            // Documented choice: without loan-book figures for the date the book's loans count as performing (0 here).
            const string unknown = "no loan-book figures for this date (no daily close of the book on or before it, and no snapshot); counted as 0";
            return new QuantityValue(r, date, q.Kind, q.Name, 0m, null, "amount", [new Contribution("lending.portfolio", Amount: 0, Note: unknown)]);
        }
        var figures = reading.Figures;
        var amount = q.Field switch
        {
            "non_performing_loans" => figures.NonPerformingLoans,
            "special_mention" => figures.ByCategory.Count > 1 ? figures.ByCategory[1] : 0,
            "loan_loss_reserve" => figures.LoanLossReserve,
            "gross_loans" => figures.GrossLoans,
            _ => throw new InvalidDataException($"quantity '{q.Id}': unknown portfolio field '{q.Field}'"),
        };
        var note = $"ILoanPortfolio.{q.Field} ({reading.Origin})";
        var bookCurrency = _inputs.Mapping.PortfolioCurrency ?? _inputs.Mapping.Currency;
        if (bookCurrency == Currency)
            return new QuantityValue(r, date, q.Kind, q.Name, amount, null, "amount", [new Contribution("lending.portfolio", Amount: amount, Note: note)]);
        var (rate, missing) = fx.Find(bookCurrency);
        if (rate is not { } applied) return new QuantityValue(r, date, q.Kind, q.Name, null, missing, "amount", []);
        var converted = FxRates.Convert(amount, Currencies.Get(bookCurrency), Currencies.Get(Currency), applied.Rate);
        return new QuantityValue(r, date, q.Kind, q.Name, converted, null, "amount",
            [new Contribution("lending.portfolio", Amount: converted, Note: note, Currency: bookCurrency, OriginalBalance: amount, FxRate: applied.Rate, FxRateDate: applied.Date)]);
    }

    private async Task<QuantityValue> SourceAsync(QuantityRef r, DateOnly date, QuantityDefinition q, CancellationToken cancellationToken)
    {
        if (_inputs.Reports is null)
            return new QuantityValue(r, date, q.Kind, q.Name, null, $"no source for '{q.Source}' is registered (the AML module is not in this host)", "count", []);
        var from = DateFor(date, "prev_month_end").AddDays(1);
        var counted = await _inputs.Reports.CountAsync(q.Source!, from, date, cancellationToken);
        if (counted is null)
            return new QuantityValue(r, date, q.Kind, q.Name, null, $"the registered report source does not know '{q.Source}'", "count", []);
        // Every counted report listed: a count quantity (one contribution each); otherwise one row carrying the count.
        if (counted.Items.Count == counted.Count)
            return new QuantityValue(r, date, q.Kind, q.Name, counted.Count, null, "count",
                counted.Items.Select(item => new Contribution(q.Source!, Amount: 1, Note: item)).ToList());
        return new QuantityValue(r, date, q.Kind, q.Name, counted.Count, null, "amount",
            [new Contribution(q.Source!, Amount: counted.Count, Note: $"{counted.Items.Count} of {counted.Count} listed: " + string.Join(", ", counted.Items.Take(20)))]);
    }
}
