using System.ComponentModel;
using Banyan.Platform;
using Banyan.RegTech.Catalogue;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.RegTech.Cli;

/// <summary><c>banyan regtech catalogue</c>: the indicator catalogue as a table (no server needed).</summary>
internal sealed class CatalogueCommand : Command<CatalogueCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--profile <PROFILE>")]
        [Description("cn or basel (default: both).")]
        public string? Profile { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Profile is not null && !IndicatorCatalogue.Profiles.Contains(settings.Profile)) throw new CliUsageException("--profile must be cn or basel");
        var catalogue = IndicatorCatalogue.LoadEmbedded();
        var list = settings.Profile is null ? catalogue.Indicators : catalogue.ForProfile(settings.Profile).ToList();
        var table = new Table().Title($"RegTech indicator catalogue {catalogue.Version}: {list.Count} indicators");
        table.AddColumns("id", "name", "名称", "unit", "freq", "threshold", "formula");
        foreach (var i in list)
        {
            var t = i.Thresholds;
            var limit = string.Join(" ", new[]
            {
                t.Min is null ? null : "≥ " + Compute.FigureEngine.Show(i.Unit, t.MinWithBuffers!.Value),
                t.Max is null ? null : "≤ " + Compute.FigureEngine.Show(i.Unit, t.Max.Value),
            }.Where(x => x is not null));
            table.AddRow(Markup.Escape(i.Id), Markup.Escape(i.NameEn), Markup.Escape(i.NameZh), i.Unit, i.Frequency, Markup.Escape(limit), Markup.Escape(i.Formula.Expr));
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
