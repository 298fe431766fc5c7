using System.Text;

namespace Banyan.Credit.Data;

/// <summary>CSV with a header row: comma separated, double-quote quoting with "" escapes, CRLF or LF.</summary>
internal static class Csv
{
    public static Table Parse(string text)
    {
        var records = Records(text).GetEnumerator();
        if (!records.MoveNext()) throw new InvalidDataException("CSV file is empty: a header row is required");
        var header = records.Current.Select(h => h.Trim()).ToArray();
        if (header.Length > Table.MaxColumns) throw new InvalidDataException($"more than {Table.MaxColumns} columns");
        if (header.Any(h => h.Length == 0)) throw new InvalidDataException("CSV header has an empty column name");
        var rows = new List<string?[]>();
        var line = 1;
        while (records.MoveNext())
        {
            line++;
            var fields = records.Current;
            if (fields.Count == 1 && fields[0].Length == 0) continue; // blank line
            if (fields.Count != header.Length)
                throw new InvalidDataException($"CSV record {line} has {fields.Count} fields, header has {header.Length}");
            if (rows.Count >= Table.MaxRows) throw new InvalidDataException($"more than {Table.MaxRows} rows");
            rows.Add(fields.Select(Table.Clean).ToArray());
        }
        return new Table(header, header.Select(_ => DeclaredType.Unknown).ToArray(), rows);
    }

    /// <summary>Splits text into records of fields, honouring quotes that span separators and newlines.</summary>
    internal static IEnumerable<List<string>> Records(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    yield return fields;
                    fields = [];
                    break;
                default: field.Append(c); break;
            }
        }
        if (quoted) throw new InvalidDataException("CSV ends inside a quoted field");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
