using System.Globalization;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Compute;
using Banyan.RegTech.Reports;
using Banyan.RegTech.Storage;
using Banyan.RegTech.Warnings;

namespace Banyan.RegTech.Api;

internal sealed record CatalogueResponse(string Version, int Count, IReadOnlyList<Indicator> Indicators);

/// <summary>A figure on the wire: values are decimal strings (money can exceed 2^53), ratios are fractions.</summary>
internal sealed record FigureDto(string IndicatorId, string NameEn, string NameZh, string Unit, string? Value, string Status, string Explanation, string? Requirement)
{
    public static FigureDto Of(Figure f) => new(f.Indicator.Id, f.Indicator.NameEn, f.Indicator.NameZh, f.Indicator.Unit,
        f.Value?.ToString(CultureInfo.InvariantCulture), f.Status, f.Explanation, f.Requirement?.ToString(CultureInfo.InvariantCulture));
}

internal sealed record FiguresResponse(string Profile, string AsOf, string MappingVersion, string Currency, IReadOnlyList<FigureDto> Figures);

/// <summary>A drill-down line. Converted accounts add <c>currency</c>, <c>original_balance</c> (its minor units), <c>fx_rate</c> and <c>fx_rate_date</c>.</summary>
internal sealed record ContributionDto(string Source, string? AccountId, uint? Ledger, ushort? Code, string? Line, string? Counterparty, string? Balance, string? Factor, string Amount, string? TransferId, string? Note,
    string? Currency, string? OriginalBalance, string? FxRate, string? FxRateDate)
{
    public static ContributionDto Of(Contribution c) => new(c.Source, c.AccountId, c.Ledger, c.Code, c.Line, c.Counterparty,
        c.Balance?.ToString(CultureInfo.InvariantCulture), c.Factor?.ToString(CultureInfo.InvariantCulture), c.Amount.ToString(CultureInfo.InvariantCulture), c.TransferId, c.Note,
        c.Currency, c.OriginalBalance?.ToString(CultureInfo.InvariantCulture), c.FxRate?.ToString(CultureInfo.InvariantCulture), c.FxRateDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}

internal sealed record QuantityDto(string Ref, string Date, string Kind, string Name, string? Value, string? Undefined, string Measure, string? Expression, IReadOnlyList<ContributionDto> Contributions)
{
    public static QuantityDto Of(QuantityValue q) => new(q.Ref.ToString(), StoredDate(q.Date), q.Kind, q.Name, q.Value?.ToString(CultureInfo.InvariantCulture),
        q.Undefined, q.Measure, q.Expr, q.Contributions.Select(ContributionDto.Of).ToList());

    private static string StoredDate(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

internal sealed record DrilldownResponse(FigureDto Figure, string AsOf, string Expression, IReadOnlyList<QuantityDto> Quantities);

internal sealed record AlertDto(string IndicatorId, string NameEn, string NameZh, string AsOf, string Kind, string Severity, string? Value, string Explanation)
{
    public static AlertDto Of(Alert a) => new(a.IndicatorId, a.NameEn, a.NameZh, a.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), a.Kind, a.Severity,
        a.Value?.ToString(CultureInfo.InvariantCulture), a.Explanation);
}

internal sealed record WarningsResponse(string Profile, string AsOf, int Count, IReadOnlyList<AlertDto> Alerts);

internal sealed record ReportRequest(string? Profile, string? AsOf);

internal sealed record ReportFileDto(string Name, string MediaType, string Sha256, string Content)
{
    public static ReportFileDto Of(ReportFile f) => new(f.Name, f.MediaType, f.Sha256, f.Content);
}

internal sealed record ReportResponse(string ReportId, string Profile, string AsOf, int Version, string DataHash, string CatalogueVersion, string MappingVersion, IReadOnlyList<ReportFileDto> Files)
{
    public static ReportResponse Of(Report r) => new(r.ReportId, r.Profile, r.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Version, r.DataHash,
        r.CatalogueVersion, r.MappingVersion, r.Files.Select(ReportFileDto.Of).ToList());
}

internal sealed record SubmissionDto(long Id, string ReportId, string Regulator, string Profile, string AsOf, int Version, string DataHash, string Formats, string Status, string Trigger, string CreatedAt)
{
    public static SubmissionDto Of(SubmissionRow s) => new(s.Id, s.ReportId, s.Regulator, s.Profile, s.AsOf, s.Version, s.DataHash, s.Formats, s.Status, s.Trigger,
        DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAtUnixMs).ToString("O", CultureInfo.InvariantCulture));
}

internal sealed record SubmissionsResponse(IReadOnlyList<SubmissionDto> Submissions);

/// <summary>One stored point of an indicator's history.</summary>
internal sealed record HistoryPointDto(string AsOf, string? Value, string Status);

/// <summary>An indicator's stored history with its thresholds (<c>min</c>, <c>min + buffers</c>, <c>max</c>) for trend lines.</summary>
internal sealed record IndicatorHistoryDto(string IndicatorId, string NameEn, string NameZh, string Unit, string? Min, string? Required, string? Max, IReadOnlyList<HistoryPointDto> Points)
{
    public static IndicatorHistoryDto Of(Indicator i, IReadOnlyList<FigureRow> rows) => new(i.Id, i.NameEn, i.NameZh, i.Unit,
        Text(i.Thresholds.Min), Text(i.Thresholds.MinWithBuffers), Text(i.Thresholds.Max),
        rows.Select(r => new HistoryPointDto(r.AsOf, r.Value, r.Status)).ToList());

    private static string? Text(decimal? d) => d?.ToString(CultureInfo.InvariantCulture);
}

internal sealed record HistoryResponse(string Profile, string To, int Points, IReadOnlyList<IndicatorHistoryDto> Indicators);
