using System.Globalization;
using Banyan.Aml.Contracts;
using Banyan.Ledger;
using Banyan.Platform.Money;
using Banyan.Lending.Contracts;
using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Compute;
using Banyan.RegTech.Data;
using Banyan.RegTech.Reports;
using Banyan.RegTech.Storage;
using Banyan.RegTech.Warnings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.RegTech;

/// <summary>Module settings (<c>Banyan:RegTech</c>).</summary>
internal sealed class RegTechOptions
{
    /// <summary>Entity identifier printed in packages (e.g. an LEI).</summary>
    public string Entity { get; init; } = "BANYAN-DEMO-BANK";
    /// <summary>Optional path of a mapping JSON replacing the embedded one.</summary>
    public string? MappingFile { get; init; }
    public WarningOptions Warnings { get; init; } = new();
    public IReadOnlyList<ScheduleEntry> Schedules { get; init; } = [];
    /// <summary>Exchange rates for ledgers in other currencies (<c>Banyan:RegTech:Fx</c>).</summary>
    public FxOptions Fx { get; init; } = new();
    /// <summary>
    /// Reporting currency per profile (e.g. <c>Banyan:RegTech:ReportingCurrencies:basel = EUR</c>); the cn
    /// profile always reports in the mapping's currency (CNY), a profile not named here too.
    /// </summary>
    public Dictionary<string, string> ReportingCurrencies { get; init; } = [];
    public static IReadOnlyDictionary<string, string[]> Regulators { get; } = new Dictionary<string, string[]>
    {
        [IndicatorCatalogue.ProfileCn] = ["NFRA", "PBoC"],
        [IndicatorCatalogue.ProfileBasel] = ["BCBS"],
    };
}

/// <summary>A scheduled return: <c>{"profile": "cn", "frequency": "monthly"}</c>.</summary>
internal sealed class ScheduleEntry
{
    public string Profile { get; init; } = IndicatorCatalogue.ProfileCn;
    public string Frequency { get; init; } = "monthly";
}

/// <summary>What the API, CLI, scheduler and demo do, over one database scope.</summary>
internal sealed class RegTechService(IServiceProvider services, DbContext db, IndicatorCatalogue catalogue, BaseMapping mapping, RegTechOptions options, FxRates fx, TimeProvider time)
{
    public IndicatorCatalogue Catalogue => catalogue;

    public BaseMapping Mapping => mapping;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public FigureEngine Engine()
    {
        var portfolio = new StoredPortfolio(db, services.GetService<ILoanPortfolio>(), time);
        var aml = services.GetService<ISuspiciousReportCounts>();
        var inputs = new ComputeInputs(mapping, services.GetRequiredService<LedgerMirror>(), new StoredCutoffs(db), portfolio,
            aml is null ? null : new AmlReportCounts(aml), fx, ReportingCurrencies(options, mapping));
        return new FigureEngine(catalogue, inputs);
    }

    /// <summary>The reporting currency of each profile: cn in the mapping's currency, others as configured.</summary>
    public static Dictionary<string, string> ReportingCurrencies(RegTechOptions options, BaseMapping mapping)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var profile in IndicatorCatalogue.Profiles)
        {
            var code = profile == IndicatorCatalogue.ProfileCn ? mapping.Currency : options.ReportingCurrencies.GetValueOrDefault(profile) ?? mapping.Currency;
            result[profile] = Currencies.TryGet(code, out var c) ? c.Code : throw new InvalidDataException($"Banyan:RegTech:ReportingCurrencies:{profile} '{code}' is not an ISO 4217 currency known to the platform");
        }
        return result;
    }

    /// <summary>Closes a reporting date: records the ledger cut-off (the durable head) and the loan book's figures, once.</summary>
    public async Task CloseDateAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var mirror = services.GetRequiredService<LedgerMirror>();
        await mirror.CaughtUpAsync(cancellationToken);
        var key = StoredCutoffs.Iso(asOf);
        if (!await db.Set<CutoffRow>().AnyAsync(c => c.AsOf == key, cancellationToken))
        {
            var head = services.GetRequiredService<LedgerEngine>().JournalHead;
            db.Add(new CutoffRow { AsOf = key, LedgerTimestamp = checked((long)head.Timestamp), RecordedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds() });
            await db.SaveChangesAsync(cancellationToken);
        }
        await new StoredPortfolio(db, services.GetService<ILoanPortfolio>(), time).RecordAsync(asOf, cancellationToken);
    }

    /// <summary>Computes a profile as of a date; with <paramref name="store"/> the values join the history.</summary>
    public async Task<FigureSet> ComputeAsync(string profile, DateOnly asOf, bool store, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<LedgerMirror>().CaughtUpAsync(cancellationToken);
        var set = await Engine().ComputeAsync(profile, asOf, cancellationToken);
        if (store) await StoreAsync(set, cancellationToken);
        return set;
    }

    public async Task<IReadOnlyList<Alert>> WarningsAsync(FigureSet set, CancellationToken cancellationToken)
    {
        var history = await HistoryAsync(set.Profile, set.AsOf, cancellationToken);
        return new WarningEngine(options.Warnings).Evaluate(set.Figures, id => history.GetValueOrDefault(id) ?? []);
    }

    /// <summary>Generates a return in every format, writes it under the module directory and logs one submission per regulator.</summary>
    public async Task<Report> ReportAsync(string profile, DateOnly asOf, string trigger, string? directory, CancellationToken cancellationToken)
    {
        var set = await ComputeAsync(profile, asOf, store: true, cancellationToken);
        var alerts = await WarningsAsync(set, cancellationToken);
        var history = await HistoryAsync(profile, asOf, cancellationToken);
        var key = StoredCutoffs.Iso(asOf);
        var regulators = RegTechOptions.Regulators[profile];
        var version = 1 + await db.Set<SubmissionRow>().CountAsync(s => s.Regulator == regulators[0] && s.AsOf == key, cancellationToken);
        var report = ReportBuilder.Build(new ReportInput(set, alerts, id => history.GetValueOrDefault(id) ?? [], version,
            catalogue.Version, mapping.Version, set.Evaluation.Currency, options.Entity));
        if (directory is not null) Write(report, Path.Combine(directory, "reports", report.ReportId));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var regulator in regulators)
        {
            db.Add(new SubmissionRow
            {
                ReportId = report.ReportId, Regulator = regulator, Profile = profile, AsOf = key, Version = version, DataHash = report.DataHash,
                Formats = "csv,json,xbrl-csv,html", Status = "generated", Trigger = trigger, CreatedAtUnixMs = now,
            });
        }
        await db.SaveChangesAsync(cancellationToken);
        return report;
    }

    /// <summary>The most stored points one history answer returns per indicator.</summary>
    public const int MaxHistoryPoints = 60;

    /// <summary>
    /// The stored history (<c>regtech_figures</c>: dates closed or reported) of the given indicators up to
    /// <paramref name="to"/>: the last <paramref name="points"/> dates per indicator, oldest first. Nothing is
    /// computed: a date enters the history when it is closed (scheduler, demo) or a report is generated.
    /// </summary>
    public async Task<Dictionary<string, List<FigureRow>>> StoredHistoryAsync(string profile, IReadOnlyCollection<string> ids, DateOnly to, int points, CancellationToken cancellationToken)
    {
        if (points is < 1 or > MaxHistoryPoints) throw new ArgumentOutOfRangeException(nameof(points), points, $"from 1 to {MaxHistoryPoints}");
        var key = StoredCutoffs.Iso(to);
        var rows = await db.Set<FigureRow>().AsNoTracking()
            .Where(r => r.Profile == profile && ids.Contains(r.IndicatorId) && string.Compare(r.AsOf, key) <= 0).ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.IndicatorId, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.OrderByDescending(r => r.AsOf, StringComparer.Ordinal).Take(points).OrderBy(r => r.AsOf, StringComparer.Ordinal).ToList(),
            StringComparer.Ordinal);
    }

    public async Task<List<SubmissionRow>> SubmissionsAsync(string? regulator, CancellationToken cancellationToken)
    {
        var query = db.Set<SubmissionRow>().AsNoTracking();
        if (regulator is not null) query = query.Where(s => s.Regulator == regulator);
        return await query.OrderByDescending(s => s.Id).Take(500).ToListAsync(cancellationToken);
    }

    public static void Write(Report report, string directory)
    {
        foreach (var file in report.Files)
        {
            var path = Path.Combine(directory, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Content);
        }
    }

    private async Task StoreAsync(FigureSet set, CancellationToken cancellationToken)
    {
        var key = StoredCutoffs.Iso(set.AsOf);
        var ids = set.Figures.Select(f => f.Indicator.Id).ToList();
        var existing = await db.Set<FigureRow>().Where(r => r.AsOf == key && ids.Contains(r.IndicatorId)).ToDictionaryAsync(r => r.IndicatorId, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var f in set.Figures)
        {
            if (!existing.TryGetValue(f.Indicator.Id, out var row)) db.Add(row = new FigureRow { IndicatorId = f.Indicator.Id, Profile = set.Profile, AsOf = key });
            row.Value = f.Value?.ToString(CultureInfo.InvariantCulture);
            row.Status = f.Status;
            row.ComputedAtUnixMs = now;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<Dictionary<string, IReadOnlyList<HistoryPoint>>> HistoryAsync(string profile, DateOnly before, CancellationToken cancellationToken)
    {
        var key = StoredCutoffs.Iso(before);
        var rows = await db.Set<FigureRow>().AsNoTracking()
            .Where(r => r.Profile == profile && r.Value != null && string.Compare(r.AsOf, key) < 0).ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.IndicatorId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<HistoryPoint>)g.Select(r => new HistoryPoint(DateOnly.ParseExact(r.AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture), decimal.Parse(r.Value!, CultureInfo.InvariantCulture)))
                .OrderBy(p => p.AsOf).ToList());
    }
}
