using System.Text;

namespace Banyan.Credit.Data;

/// <summary>
/// Dense ARFF (Weka): <c>@attribute name numeric|{a,b}|string</c> declarations, then <c>@data</c> rows
/// with single- or double-quoted values, <c>?</c> for missing and <c>%</c> comments.
/// </summary>
internal static class Arff
{
    public static Table Parse(string text)
    {
        var columns = new List<string>();
        var types = new List<DeclaredType>();
        var rows = new List<string?[]>();
        var inData = false;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '%') continue;
            if (!inData)
            {
                if (line.StartsWith("@attribute", StringComparison.OrdinalIgnoreCase)) AddAttribute(line, columns, types);
                else if (line.StartsWith("@data", StringComparison.OrdinalIgnoreCase)) inData = true;
                continue;
            }
            if (line[0] == '{') throw new InvalidDataException($"ARFF line {lineNumber}: sparse rows are not supported");
            var fields = Split(line);
            if (fields.Count != columns.Count)
                throw new InvalidDataException($"ARFF line {lineNumber} has {fields.Count} values, {columns.Count} attributes declared");
            if (rows.Count >= Table.MaxRows) throw new InvalidDataException($"more than {Table.MaxRows} rows");
            rows.Add(fields.Select(Table.Clean).ToArray());
        }
        if (columns.Count == 0) throw new InvalidDataException("ARFF file declares no attributes");
        return new Table(columns, types, rows);
    }

    private static void AddAttribute(string line, List<string> columns, List<DeclaredType> types)
    {
        var rest = line["@attribute".Length..].Trim();
        var parts = Split(rest, ' ', '\t', limit: 2);
        if (parts.Count < 2) throw new InvalidDataException($"ARFF attribute without a type: {line}");
        if (columns.Count >= Table.MaxColumns) throw new InvalidDataException($"more than {Table.MaxColumns} attributes");
        columns.Add(parts[0]);
        var type = parts[1].Trim();
        types.Add(type.StartsWith('{') ? DeclaredType.Nominal
            : type.Equals("numeric", StringComparison.OrdinalIgnoreCase) || type.Equals("real", StringComparison.OrdinalIgnoreCase)
              || type.Equals("integer", StringComparison.OrdinalIgnoreCase) ? DeclaredType.Numeric
            : DeclaredType.Nominal);
    }

    /// <summary>Splits on separators outside single or double quotes and strips the quotes.</summary>
    private static List<string> Split(string line, char separator = ',', char alternative = ',', int limit = int.MaxValue)
    {
        var result = new List<string>();
        var field = new StringBuilder();
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == '\\' && i + 1 < line.Length) { field.Append(line[++i]); continue; }
                if (c == quote) quote = '\0'; else field.Append(c);
                continue;
            }
            if ((c == '\'' || c == '"') && field.ToString().Trim().Length == 0) { field.Clear(); quote = c; continue; }
            if ((c == separator || c == alternative) && result.Count < limit - 1)
            {
                if (separator != ',' && field.Length == 0) continue; // runs of blanks between name and type
                result.Add(field.ToString().Trim()); field.Clear();
                continue;
            }
            field.Append(c);
        }
        result.Add(field.ToString().Trim());
        return result;
    }
}
