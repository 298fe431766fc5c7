using System.Globalization;
using System.Text;

namespace Banyan.Credit.Data;

/// <summary>Declared type of a column when the file format says it (ARFF); CSV leaves it to inference.</summary>
internal enum DeclaredType
{
    Unknown,
    Numeric,
    Nominal,
}

/// <summary>A rectangular table of raw strings as read from CSV or ARFF; <c>null</c> marks a missing value.</summary>
internal sealed class Table
{
    /// <summary>Hard limits: a credit file beyond these is a mistake, not a data set.</summary>
    public const int MaxRows = 2_000_000;
    public const int MaxColumns = 1_000;
    public const long MaxFileBytes = 512L * 1024 * 1024;

    public Table(IReadOnlyList<string> columns, IReadOnlyList<DeclaredType> types, List<string?[]> rows)
    {
        if (columns.Count != types.Count) throw new ArgumentException("column and type counts differ");
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new InvalidDataException("duplicate column names in header");
        Columns = columns;
        Types = types;
        Rows = rows;
    }

    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<DeclaredType> Types { get; }
    public List<string?[]> Rows { get; }

    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>Tokens that mean "no value" in the files banks send: empty, NA, ?, NaN, null.</summary>
    public static bool IsMissingToken(string s) =>
        s.Length == 0 || s == "?" || s.Equals("NA", StringComparison.OrdinalIgnoreCase)
        || s.Equals("NaN", StringComparison.OrdinalIgnoreCase) || s.Equals("null", StringComparison.OrdinalIgnoreCase);

    public static bool TryParseNumber(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Reads a CSV (RFC 4180 quoting) or ARFF file, chosen by extension (<c>.arff</c>) or content.</summary>
    public static Table Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"data file '{path}' not found", path);
        if (info.Length > MaxFileBytes) throw new InvalidDataException($"data file '{path}' exceeds {MaxFileBytes} bytes");
        var text = File.ReadAllText(path, Encoding.UTF8);
        return path.EndsWith(".arff", StringComparison.OrdinalIgnoreCase) ? Arff.Parse(text) : Csv.Parse(text);
    }

    /// <summary>SHA-256 of the file's bytes, lower-case hex: the training data's identity in the model.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    internal static string? Clean(string raw)
    {
        var s = raw.Trim();
        return IsMissingToken(s) ? null : s;
    }
}
