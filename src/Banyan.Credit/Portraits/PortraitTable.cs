using System.Globalization;
using System.Text;

namespace Banyan.Credit.Portraits;

/// <summary>Portraits as CSV for the regular pipeline: <c>company</c>, then one column per feature; undefined values empty.</summary>
internal static class PortraitTable
{
    public static void WriteCsv(IReadOnlyList<Portrait> portraits, string path)
    {
        var text = new StringBuilder();
        if (portraits.Count > 0)
        {
            var names = portraits[0].Features.Select(f => f.Name).ToList();
            text.Append("company,").AppendJoin(',', names).Append('\n');
            foreach (var p in portraits)
            {
                if (!p.Features.Select(f => f.Name).SequenceEqual(names)) throw new InvalidOperationException("portraits with different features cannot share a table");
                // Company ids are written as given; feeds ids are plain tokens (no commas or quotes) by convention, so refuse others.
                if (p.Company.AsSpan().IndexOfAny(",\"\n\r") >= 0) throw new InvalidDataException($"company id '{p.Company}' cannot be written to CSV unquoted");
                text.Append(p.Company).Append(',');
                text.AppendJoin(',', p.Features.Select(f => double.IsNaN(f.Value) ? "" : f.Value.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
            }
        }
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}
