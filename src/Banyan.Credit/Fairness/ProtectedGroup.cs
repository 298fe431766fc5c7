using System.Globalization;
using Banyan.Credit.Data;

namespace Banyan.Credit.Fairness;

/// <summary>
/// The declared protected attribute and which rows are privileged. <c>Privileged</c> is either a
/// value (<c>yes</c>: privileged when the column equals it) or a numeric comparison
/// (<c>&gt;25</c>, <c>&gt;=26</c>, <c>&lt;=25</c>, <c>&lt;26</c>, <c>=1</c>), which derives the
/// binary group from a numeric column such as credit-g's <c>age</c> without editing the data.
/// </summary>
internal sealed record ProtectedGroup(string Column, string Privileged)
{
    public const int PrivilegedGroup = 1;
    public const int UnprivilegedGroup = 0;
    public const int UnknownGroup = -1;

    private static readonly string[] Operators = [">=", "<=", "!=", ">", "<", "="];

    public string PrivilegedName => IsComparison(out var op, out var bound) ? $"{Column}{op}{Format(bound)}" : $"{Column}={Privileged}";

    public string UnprivilegedName => IsComparison(out var op, out var bound) ? $"{Column}{Negate(op)}{Format(bound)}" : $"{Column}!={Privileged}";

    public string GroupName(int group) => group == PrivilegedGroup ? PrivilegedName : UnprivilegedName;

    /// <summary>Throws a usage-style <see cref="ArgumentException"/> when a comparison has no number.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Column) || string.IsNullOrWhiteSpace(Privileged))
            throw new ArgumentException("--protected and --privileged must both be given and non-empty");
        var op = Operators.FirstOrDefault(o => Privileged.StartsWith(o, StringComparison.Ordinal));
        if (op is not null && !Table.TryParseNumber(Privileged[op.Length..].Trim(), out _))
            throw new ArgumentException($"--privileged '{Privileged}' starts with '{op}' but is not followed by a number");
    }

    /// <summary>1 privileged, 0 unprivileged, -1 when the value is missing (or not numeric for a comparison).</summary>
    public int Classify(string? raw)
    {
        if (raw is null) return UnknownGroup;
        if (!IsComparison(out var op, out var bound)) return raw == Privileged ? PrivilegedGroup : UnprivilegedGroup;
        if (!Table.TryParseNumber(raw, out var v)) return UnknownGroup;
        var privileged = op switch
        {
            ">=" => v >= bound,
            "<=" => v <= bound,
            ">" => v > bound,
            "<" => v < bound,
            "!=" => v != bound,
            _ => v == bound,
        };
        return privileged ? PrivilegedGroup : UnprivilegedGroup;
    }

    public int[] Classify(Table table, IReadOnlyList<int> rows)
    {
        var c = table.ColumnIndex(Column);
        if (c < 0) throw new InvalidDataException($"data has no protected column '{Column}'");
        return rows.Select(r => Classify(table.Rows[r][c])).ToArray();
    }

    private bool IsComparison(out string op, out double bound)
    {
        op = Operators.FirstOrDefault(o => Privileged.StartsWith(o, StringComparison.Ordinal)) ?? "";
        bound = 0;
        return op.Length > 0 && Table.TryParseNumber(Privileged[op.Length..].Trim(), out bound);
    }

    private static string Negate(string op) => op switch
    {
        ">=" => "<",
        "<=" => ">",
        ">" => "<=",
        "<" => ">=",
        "!=" => "=",
        _ => "!=",
    };

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
