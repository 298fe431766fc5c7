using System.ComponentModel;
using System.Globalization;
using Banyan.Credit.Cli;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Credit.Portraits;

/// <summary>Settings for commands that read a feeds directory.</summary>
internal class FeedsSettings : CommandSettings
{
    [CommandOption("--feeds <DIR>")] [Description("Directory with the JSONL partner feeds (see docs/credit.md).")] public string? Feeds { get; init; }
    [CommandOption("--as-of <DATE>")] [Description("As-of date yyyy-MM-dd (default: the day after the latest record).")] public string? AsOf { get; init; }
    [CommandOption("--json")] [Description("Print only a JSON document on stdout.")] public bool Json { get; init; }

    public (PortraitBuilder Builder, DateOnly AsOf) Load()
    {
        if (string.IsNullOrWhiteSpace(Feeds)) throw new CliUsageException("--feeds <DIR> is required");
        if (!Directory.Exists(Feeds)) throw new CliUsageException($"feeds directory '{Feeds}' does not exist");
        Feeds feeds;
        try { feeds = Portraits.Feeds.Read(Feeds); }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException) { throw new CliUsageException(e.Message); }
        var builder = new PortraitBuilder(feeds);
        if (AsOf is null) return (builder, builder.LatestAsOf());
        if (!DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asOf))
            throw new CliUsageException("--as-of must be yyyy-MM-dd");
        return (builder, asOf);
    }
}

/// <summary><c>banyan credit portrait</c>: the 200+ feature SME portrait of one company.</summary>
internal sealed class PortraitCommand : Command<PortraitCommand.Settings>
{
    internal sealed class Settings : FeedsSettings
    {
        [CommandOption("--company <ID>")] [Description("Company id from companies.jsonl.")] public string? Company { get; init; }
        [CommandOption("--describe")] [Description("List features with unit and description instead of a name → value map.")] public bool Describe { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Company)) throw new CliUsageException("--company <ID> is required");
        var (builder, asOf) = settings.Load();
        if (!builder.Contains(settings.Company)) throw new CliUsageException($"company '{settings.Company}' is not in companies.jsonl");
        var portrait = builder.Build(settings.Company, asOf);
        if (settings.Json)
        {
            object features = settings.Describe
                ? portrait.Features.Select(f => new { name = f.Name, unit = f.Unit.ToString().ToLowerInvariant(), value = JsonValue(f), description = f.Description }).ToList()
                : portrait.Features.ToDictionary(f => f.Name, JsonValue);
            CliSupport.WriteJson(new { company = portrait.Company, as_of = portrait.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), feature_count = portrait.Features.Count, features });
            return 0;
        }
        Console.Error.WriteLine($"portrait of {portrait.Company} as of {portrait.AsOf:yyyy-MM-dd}: {portrait.Features.Count} features");
        foreach (var f in portrait.Features)
            Console.Error.WriteLine($"  {f.Name,-40} {Format(f),20}  {(settings.Describe ? f.Description : "")}");
        return 0;
    }

    /// <summary>Money and counts print as integers (money is exact minor units), undefined values as null.</summary>
    internal static object? JsonValue(PortraitFeature f) =>
        double.IsNaN(f.Value) ? null : f.Unit == FeatureUnit.Money ? checked((long)f.Value) : f.Value;

    private static string Format(PortraitFeature f) =>
        double.IsNaN(f.Value) ? "n/a" : f.Unit == FeatureUnit.Money ? checked((long)f.Value).ToString(CultureInfo.InvariantCulture)
        : f.Value.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary><c>banyan credit feeds-generate</c>: write seeded demo feeds (companies, invoices, tax, customs, orders, receivables, ledger).</summary>
internal sealed class FeedsGenerateCommand : Command<FeedsGenerateCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")] [Description("Directory to write the JSONL feeds to.")] public string? Out { get; init; }
        [CommandOption("--seed <N>")] [Description("Random seed (default 7).")] public int Seed { get; init; } = 7;
        [CommandOption("--companies <N>")] [Description("Number of companies (default 60).")] public int Companies { get; init; } = 60;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out)) throw new CliUsageException("--out <DIR> is required");
        if (settings.Companies is < 10 or > 20_000) throw new CliUsageException("--companies must be 10..20000");
        var (feeds, _) = FeedGenerator.Generate(new GeneratorOptions { Seed = settings.Seed, Companies = settings.Companies });
        feeds.Write(settings.Out);
        Console.Error.WriteLine($"feeds: wrote {feeds.Companies.Count} companies, {feeds.Invoices.Count} invoices, {feeds.TaxFilings.Count} filings, "
            + $"{feeds.Customs.Count} customs declarations, {feeds.Orders.Count} orders, {feeds.Receivables.Count} receivables, {feeds.Ledger.Count} ledger flows to {settings.Out}");
        return 0;
    }
}

/// <summary><c>banyan credit shell-check</c>: shell-company flags with reasons for one or every company.</summary>
internal sealed class ShellCheckCommand : Command<ShellCheckCommand.Settings>
{
    internal sealed class Settings : FeedsSettings
    {
        [CommandOption("--company <ID>")] [Description("Check one company (default: every company in companies.jsonl).")] public string? Company { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (builder, asOf) = settings.Load();
        if (settings.Company is { } one && !builder.Contains(one)) throw new CliUsageException($"company '{one}' is not in companies.jsonl");
        var ids = settings.Company is { } id ? [id] : builder.Feeds.Companies.Select(c => c.Id).ToList();
        var reports = ids.Select(c => ShellDetector.Check(builder, c, asOf)).ToList();
        if (settings.Json)
        {
            CliSupport.WriteJson(new
            {
                as_of = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                companies = reports.Select(r => new
                {
                    company = r.Company,
                    is_shell = r.IsShell,
                    flags = r.Flags.Select(f => new { code = f.Code, strong = f.Strong, reason = f.Reason, figures = f.Figures }),
                }),
            });
            return 0;
        }
        foreach (var r in reports.Where(r => r.IsShell || settings.Company is not null))
        {
            Console.Error.WriteLine($"{r.Company}: {(r.IsShell ? "SHELL" : "clean")}");
            foreach (var f in r.Flags) Console.Error.WriteLine($"  [{(f.Strong ? "strong" : "weak")}] {f.Code}: {f.Reason}");
        }
        Console.Error.WriteLine($"shell-check: {reports.Count(r => r.IsShell)} of {reports.Count} companies flagged as of {asOf:yyyy-MM-dd}");
        return 0;
    }
}

/// <summary><c>banyan credit first-loan</c>: train the first-loan model on generated portraits and report held-out quality.</summary>
internal sealed class FirstLoanCommand : Command<FirstLoanCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--seed <N>")] [Description("Seed of feeds, labels and learner (default 21).")] public int Seed { get; init; } = 21;
        [CommandOption("--companies <N>")] [Description("Generated applicants (default 500).")] public int Companies { get; init; } = 500;
        [CommandOption("--trees <N>")] [Description("Number of trees (default 150).")] public int Trees { get; init; } = 150;
        [CommandOption("--export <FILE>")] [Description("Also write the labelled portrait table (CSV, label column 'bad', 1 = bad) for 'credit train'.")] public string? Export { get; init; }
        [CommandOption("--json")] [Description("Print only a JSON document on stdout.")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Companies is < 50 or > 20_000) throw new CliUsageException("--companies must be 50..20000");
        if (settings.Trees is < 1 or > 2000) throw new CliUsageException("--trees must be 1..2000");
        var data = FirstLoan.Generate(settings.Seed, settings.Companies);
        if (settings.Export is { } export) FirstLoan.WriteCsv(data, export);
        var (_, r) = FirstLoan.TrainAndEvaluate(data, new Learning.BoostingOptions { Trees = settings.Trees, Seed = settings.Seed });
        if (settings.Json)
        {
            CliSupport.WriteJson(new
            {
                train_rows = r.TrainRows, test_rows = r.TestRows, bad_rate = r.BadRate, auc = r.Auc, accuracy = r.Accuracy,
                baseline_auc = r.BaselineAuc, baseline_accuracy = r.BaselineAccuracy, majority_accuracy = r.MajorityAccuracy,
                top_features = r.TopFeatures.Select(t => new { feature = t.Feature, mean_abs_shap = t.MeanAbsShap }),
            });
            return 0;
        }
        Console.Error.WriteLine($"first-loan: train {r.TrainRows}, held-out {r.TestRows}, bad rate {CliSupport.F(r.BadRate)}");
        Console.Error.WriteLine($"  trees     AUC {CliSupport.F(r.Auc)}  accuracy {CliSupport.F(r.Accuracy)}");
        Console.Error.WriteLine($"  logistic  AUC {CliSupport.F(r.BaselineAuc)}  accuracy {CliSupport.F(r.BaselineAccuracy)}  (majority guess {CliSupport.F(r.MajorityAccuracy)})");
        foreach (var (f, v) in r.TopFeatures) Console.Error.WriteLine($"  {f,-36} mean |SHAP| {v:F4}");
        return 0;
    }
}

/// <summary><c>banyan credit farm-generate</c>: write seeded farm feeds (farmers, NDVI, weather, sales, machinery).</summary>
internal sealed class FarmGenerateCommand : Command<FarmGenerateCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")] [Description("Directory to write the JSONL farm feeds to.")] public string? Out { get; init; }
        [CommandOption("--seed <N>")] [Description("Random seed (default 4).")] public int Seed { get; init; } = 4;
        [CommandOption("--farmers <N>")] [Description("Number of farmers (default 200).")] public int Farmers { get; init; } = 200;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out)) throw new CliUsageException("--out <DIR> is required");
        if (settings.Farmers is < 10 or > 50_000) throw new CliUsageException("--farmers must be 10..50000");
        var (feeds, _) = FarmGenerator.Generate(settings.Seed, settings.Farmers);
        feeds.Write(settings.Out);
        Console.Error.WriteLine($"farm feeds: wrote {feeds.Farmers.Count} farmers, {feeds.Ndvi.Count} NDVI observations, {feeds.Weather.Count} weather readings, "
            + $"{feeds.Sales.Count} sales, {feeds.Machinery.Count} machines to {settings.Out}");
        return 0;
    }
}

/// <summary><c>banyan credit farmer</c>: score one farmer from farm feeds, with features and exact SHAP reasons.</summary>
internal sealed class FarmerCommand : Command<FarmerCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--feeds <DIR>")] [Description("Directory with the farm feeds.")] public string? Feeds { get; init; }
        [CommandOption("--farmer <ID>")] [Description("Farmer id from farmers.jsonl.")] public string? Farmer { get; init; }
        [CommandOption("--seed <N>")] [Description("Seed of the generated training population (default 4).")] public int Seed { get; init; } = 4;
        [CommandOption("--train-farmers <N>")] [Description("Size of the generated training population (default 600).")] public int TrainFarmers { get; init; } = 600;
        [CommandOption("--json")] [Description("Print only a JSON document on stdout.")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Feeds) || !Directory.Exists(settings.Feeds)) throw new CliUsageException("--feeds <DIR> must name an existing directory");
        if (string.IsNullOrWhiteSpace(settings.Farmer)) throw new CliUsageException("--farmer <ID> is required");
        if (settings.TrainFarmers is < 100 or > 50_000) throw new CliUsageException("--train-farmers must be 100..50000");
        FarmFeeds feeds;
        try { feeds = FarmFeeds.Read(settings.Feeds); }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException) { throw new CliUsageException(e.Message); }
        var builder = new FarmPortraitBuilder(feeds);
        if (!builder.Contains(settings.Farmer)) throw new CliUsageException($"farmer '{settings.Farmer}' is not in farmers.jsonl");
        var portrait = builder.Build(settings.Farmer, builder.LatestAsOf());
        var scorer = FarmerScorer.Train(settings.Seed, settings.TrainFarmers);
        var s = scorer.Score(portrait);
        if (settings.Json)
        {
            CliSupport.WriteJson(new
            {
                farmer = s.Farmer, probability_bad = s.ProbabilityBad, points = s.Points, base_value = s.BaseValue, margin = s.Margin,
                reasons = s.Reasons.Select(r => new { feature = r.Feature, value = double.IsNaN(r.Value) ? (double?)null : r.Value, contribution = r.Contribution, text = r.Text }),
                features = portrait.Features.ToDictionary(f => f.Name, PortraitCommand.JsonValue),
                model = new { train_rows = scorer.Report.TrainRows, test_rows = scorer.Report.TestRows, auc = scorer.Report.Auc, accuracy = scorer.Report.Accuracy },
            });
            return 0;
        }
        Console.Error.WriteLine($"farmer {s.Farmer}: {s.Points} points, P(bad) {CliSupport.F(s.ProbabilityBad)} (model held-out AUC {CliSupport.F(scorer.Report.Auc)})");
        foreach (var r in s.Reasons) Console.Error.WriteLine($"  {r.Text}");
        return 0;
    }
}

/// <summary><c>banyan credit portrait-table</c>: every company's portrait as one CSV row, ready for <c>credit explain</c>/<c>evaluate</c>.</summary>
internal sealed class PortraitTableCommand : Command<PortraitTableCommand.Settings>
{
    internal sealed class Settings : FeedsSettings
    {
        [CommandOption("--out <FILE>")] [Description("CSV to write: 'company', then the portrait features.")] public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out)) throw new CliUsageException("--out <FILE> is required");
        var (builder, asOf) = settings.Load();
        var portraits = builder.Feeds.Companies.Select(c => builder.Build(c.Id, asOf)).ToList();
        PortraitTable.WriteCsv(portraits, settings.Out);
        Console.Error.WriteLine($"portrait-table: wrote {portraits.Count} companies × {portraits.FirstOrDefault()?.Features.Count ?? 0} features as of {asOf:yyyy-MM-dd} to {settings.Out}");
        return 0;
    }
}
