using System.Text.Json;
using Banyan.Platform.Http;
using Banyan.Platform.Money;

namespace Banyan.RegTech.Catalogue;

/// <summary>
/// One balance-sheet line: the ledger account codes it gathers, the side a positive balance is on, its
/// tags (what quantities select it by) and its regulatory factors. docs/regtech.md "Base data mapping".
/// </summary>
internal sealed class MappingLine
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyList<ushort> Codes { get; init; } = [];
    /// <summary><c>debit</c>: balance = debits − credits (assets, expenses); <c>credit</c>: credits − debits.</summary>
    public string Side { get; init; } = "debit";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public decimal RiskWeight { get; init; }
    public decimal HqlaFactor { get; init; }
    public decimal LcrOutflow { get; init; }
    public decimal LcrInflow { get; init; }
    public decimal Asf { get; init; }
    public decimal Rsf { get; init; }
    public decimal Ccf { get; init; }

    /// <summary>The factor a quantity with this weight name applies to the line's balance.</summary>
    public decimal Factor(string weight) => weight switch
    {
        "one" => 1m,
        "risk_weight" => RiskWeight,
        "hqla" => HqlaFactor,
        "lcr_outflow" => LcrOutflow,
        "lcr_inflow" => LcrInflow,
        "asf" => Asf,
        "rsf" => Rsf,
        "ccf" => Ccf,
        "ccf_rw" => Ccf * RiskWeight,
        _ => throw new InvalidDataException($"unknown weight '{weight}'"),
    };
}

/// <summary>A named base quantity: a sum over mapped accounts, a concentration, a count, a facade figure, or an expression.</summary>
internal sealed class QuantityDefinition
{
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string>? TagsAny { get; init; }
    public IReadOnlyList<string>? TagsNone { get; init; }
    public string Weight { get; init; } = "one";
    public int N { get; init; }
    public string? Of { get; init; }
    public decimal Ratio { get; init; }
    public long MinAmount { get; init; }
    public string? Period { get; init; }
    public string? Field { get; init; }
    public string? Source { get; init; }
    public string? Expr { get; init; }

    public bool Selects(MappingLine line) =>
        Tags.All(line.Tags.Contains)
        && (TagsAny is null || TagsAny.Any(line.Tags.Contains))
        && (TagsNone is null || !TagsNone.Any(line.Tags.Contains));
}

/// <summary>
/// The configurable mapping from ledger accounts to balance-sheet lines and base quantities
/// (Resources/mapping.json, or a file named by <c>Banyan:RegTech:MappingFile</c>).
/// </summary>
internal sealed class BaseMapping
{
    public static readonly string[] Kinds =
        ["sum", "group_max", "group_top", "group_count", "group_count_at_least", "transfer_count", "transfer_amount", "portfolio", "source", "expr"];

    private Dictionary<ushort, MappingLine> _byCode = [];
    private Dictionary<string, QuantityDefinition> _quantities = [];

    public string Version { get; init; } = "";
    public string Currency { get; init; } = "CNY";
    public IReadOnlyList<uint> Ledgers { get; init; } = [];
    /// <summary>Ledger numbers that are not ISO 4217 codes but hold this currency (the lending book's default ledger 1).</summary>
    public IReadOnlyDictionary<string, string>? LedgerAliases { get; init; }
    public string? Notes { get; init; }
    public IReadOnlyList<MappingLine> Lines { get; init; } = [];
    public IReadOnlyList<QuantityDefinition> Quantities { get; init; } = [];

    public Currency ReportingCurrency => Currencies.Get(Currency);

    public IReadOnlyDictionary<string, QuantityDefinition> QuantitiesById => _quantities;

    /// <summary>
    /// The currency of a counted ledger: ledgers listed in <c>ledgers</c> by their ISO 4217 numeric code, or
    /// non-ISO ledgers through <c>ledger_aliases</c>; null for a ledger the mapping does not count.
    /// </summary>
    public string? CurrencyOf(uint ledger)
    {
        if (LedgerAliases is not null && LedgerAliases.TryGetValue(ledger.ToString(System.Globalization.CultureInfo.InvariantCulture), out var code)) return code;
        return Ledgers.Contains(ledger) && Currencies.TryGetByLedger(ledger, out var c) ? c.Code : null;
    }

    /// <summary>True when balances of this ledger count and are in the mapping's own currency (no conversion needed).</summary>
    public bool IncludesLedger(uint ledger) => CurrencyOf(ledger) == Currency;

    /// <summary>The currency of the loan book's figures (<c>ILoanPortfolio</c>); default: the mapping's currency.</summary>
    public string? PortfolioCurrency { get; init; }

    /// <summary>The line of an account in a counted ledger (any currency), or null.</summary>
    public MappingLine? LineFor(uint ledger, ushort code) =>
        CurrencyOf(ledger) is not null && _byCode.TryGetValue(code, out var line) ? line : null;

    public static BaseMapping LoadEmbedded()
    {
        using var stream = Resources.Open("mapping.json");
        return Load(stream);
    }

    public static BaseMapping Load(Stream json)
    {
        var mapping = JsonSerializer.Deserialize<BaseMapping>(json, BanyanJson.Options) ?? throw new InvalidDataException("mapping is empty");
        mapping.Index();
        return mapping;
    }

    private void Index()
    {
        if (!Currencies.TryGet(Currency, out _)) throw new InvalidDataException($"mapping currency '{Currency}' is not ISO 4217 known to the platform");
        if (PortfolioCurrency is not null && !Currencies.TryGet(PortfolioCurrency, out _)) throw new InvalidDataException($"portfolio_currency '{PortfolioCurrency}' is not ISO 4217 known to the platform");
        foreach (var (ledger, code) in LedgerAliases ?? new Dictionary<string, string>())
            if (!Currencies.TryGet(code, out _)) throw new InvalidDataException($"ledger alias {ledger}: '{code}' is not ISO 4217 known to the platform");
        foreach (var ledger in Ledgers)
            if (!Currencies.TryGetByLedger(ledger, out _)) throw new InvalidDataException($"ledger {ledger} is not an ISO 4217 numeric code known to the platform (use ledger_aliases)");
        _byCode = [];
        foreach (var line in Lines)
        {
            if (line.Side is not ("debit" or "credit")) throw new InvalidDataException($"line '{line.Id}': side must be debit or credit");
            foreach (var code in line.Codes)
                if (!_byCode.TryAdd(code, line)) throw new InvalidDataException($"code {code} is mapped to both '{_byCode[code].Id}' and '{line.Id}'");
        }
        _quantities = [];
        foreach (var q in Quantities)
        {
            if (!Kinds.Contains(q.Kind)) throw new InvalidDataException($"quantity '{q.Id}': unknown kind '{q.Kind}'");
            if (!_quantities.TryAdd(q.Id, q)) throw new InvalidDataException($"quantity '{q.Id}' is defined twice");
            if (q.Kind == "sum") _ = Lines.Select(l => l.Factor(q.Weight)).ToList();
        }
    }
}
