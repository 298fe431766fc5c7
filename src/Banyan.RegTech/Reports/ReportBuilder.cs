using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Banyan.RegTech.Compute;
using Banyan.RegTech.Warnings;

namespace Banyan.RegTech.Reports;

/// <summary>One file of a report (all formats are text).</summary>
internal sealed record ReportFile(string Name, string MediaType, string Content, string Sha256);

/// <summary>A generated return: every format, the SHA-256 of its data (figures.csv) and its version.</summary>
internal sealed record Report(string ReportId, string Profile, DateOnly AsOf, int Version, string DataHash, string CatalogueVersion, string MappingVersion, IReadOnlyList<ReportFile> Files);

/// <summary>What a report is made of.</summary>
internal sealed record ReportInput(
    FigureSet Figures, IReadOnlyList<Alert> Alerts, Func<string, IReadOnlyList<HistoryPoint>> History,
    int Version, string CatalogueVersion, string MappingVersion, string Currency, string Entity);

/// <summary>
/// Builds a return in every format: figures.csv, figures.json, the XBRL-CSV-style package
/// (package/metadata.json + one CSV per table; COREP C 01.00-C 03.00 for Basel) and summary.html
/// with inline SVG charts. Deterministic: the same figures give byte-identical files.
/// </summary>
internal static class ReportBuilder
{
    public const string ReportFormat = "banyan-regtech-report/1";

    public static Report Build(ReportInput input)
    {
        var set = input.Figures;
        var csv = FiguresCsv(set);
        var dataHash = Sha256(csv);
        var id = $"{set.Profile}-{set.AsOf:yyyyMMdd}-v{input.Version}";
        var tables = PackageTables.For(set);
        var files = new List<ReportFile>
        {
            File("figures.csv", "text/csv", csv),
            File("figures.json", "application/json", FiguresJson(input, id, dataHash)),
            File("package/metadata.json", "application/json", Metadata(input, id, dataHash, tables)),
        };
        files.AddRange(tables.Select(t => File($"package/{t.Code}.csv", "text/csv", TableCsv(t))));
        files.Add(File("summary.html", "text/html", HtmlSummary.Render(input, id, dataHash)));
        return new Report(id, set.Profile, set.AsOf, input.Version, dataHash, input.CatalogueVersion, input.MappingVersion, files);
    }

    public static string Sha256(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public static string Value(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static ReportFile File(string name, string type, string content) => new(name, type, content, Sha256(content));

    private static string FiguresCsv(FigureSet set)
    {
        var b = new StringBuilder("indicator_id,name_en,name_zh,unit,as_of,value,status,requirement,reference\n");
        foreach (var f in set.Figures)
            b.Append(Csv(f.Indicator.Id, f.Indicator.NameEn, f.Indicator.NameZh, f.Indicator.Unit, f.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Value(f.Value), f.Status, Value(f.Requirement), f.Indicator.Reference));
        return b.ToString();
    }

    private static string TableCsv(PackageTable t)
    {
        var b = new StringBuilder("row,indicator_id,label,unit,value,status\n");
        foreach (var r in t.Rows) b.Append(Csv(r.Row, r.Figure.Indicator.Id, r.Figure.Indicator.NameEn, r.Figure.Indicator.Unit, Value(r.Figure.Value), r.Figure.Status));
        return b.ToString();
    }

    internal static string Csv(params string[] cells) =>
        string.Join(',', cells.Select(c => c.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : c)) + "\n";

    private static string FiguresJson(ReportInput input, string id, string dataHash)
    {
        var set = input.Figures;
        var doc = new JsonObject
        {
            ["report_id"] = id,
            ["format"] = ReportFormat,
            ["profile"] = set.Profile,
            ["as_of"] = set.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["version"] = input.Version,
            ["data_hash"] = dataHash,
            ["catalogue_version"] = input.CatalogueVersion,
            ["mapping_version"] = input.MappingVersion,
            ["currency"] = input.Currency,
            ["figures"] = new JsonArray(set.Figures.Select(f => (JsonNode)new JsonObject
            {
                ["indicator_id"] = f.Indicator.Id,
                ["unit"] = f.Indicator.Unit,
                ["value"] = f.Value is null ? null : Value(f.Value),
                ["status"] = f.Status,
                ["explanation"] = f.Explanation,
            }).ToArray()),
            ["alerts"] = new JsonArray(input.Alerts.Select(a => (JsonNode)new JsonObject
            {
                ["indicator_id"] = a.IndicatorId,
                ["kind"] = a.Kind,
                ["severity"] = a.Severity,
                ["explanation"] = a.Explanation,
            }).ToArray()),
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>xBRL-CSV-style metadata: document type, parameters, table templates and the tables pointing at the CSV files.</summary>
    private static string Metadata(ReportInput input, string id, string dataHash, IReadOnlyList<PackageTable> tables)
    {
        var set = input.Figures;
        var templates = new JsonObject();
        var tableRefs = new JsonObject();
        foreach (var t in tables)
        {
            templates[t.Code] = new JsonObject
            {
                ["title"] = t.Title,
                ["columns"] = new JsonObject
                {
                    ["row"] = new JsonObject(),
                    ["indicator_id"] = new JsonObject(),
                    ["label"] = new JsonObject(),
                    ["unit"] = new JsonObject(),
                    ["value"] = new JsonObject { ["dimensions"] = new JsonObject { ["concept"] = "$indicator_id", ["period"] = "$refPeriod", ["unit"] = "$unit" } },
                    ["status"] = new JsonObject(),
                },
            };
            tableRefs[t.Code] = new JsonObject { ["template"] = t.Code, ["url"] = t.Code + ".csv", ["rows"] = t.Rows.Count };
        }
        var doc = new JsonObject
        {
            ["documentInfo"] = new JsonObject
            {
                ["documentType"] = "https://xbrl.org/2021/xbrl-csv",
                ["taxonomy"] = new JsonArray(JsonValue.Create($"https://banyan.dev/regtech/taxonomy/{set.Profile}/{input.CatalogueVersion}")),
                ["namespaces"] = new JsonObject { ["banyan"] = "https://banyan.dev/regtech/" + set.Profile },
            },
            ["parameters"] = new JsonObject
            {
                ["refPeriod"] = set.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["entityId"] = input.Entity,
                ["baseCurrency"] = input.Currency,
                ["profile"] = set.Profile,
            },
            ["report"] = new JsonObject
            {
                ["report_id"] = id,
                ["version"] = input.Version,
                ["data_hash"] = dataHash,
                ["catalogue_version"] = input.CatalogueVersion,
                ["mapping_version"] = input.MappingVersion,
            },
            ["tableTemplates"] = templates,
            ["tables"] = tableRefs,
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
