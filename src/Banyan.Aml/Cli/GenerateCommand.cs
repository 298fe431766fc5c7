using System.ComponentModel;
using System.Text.Json;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Aml.Cli;

/// <summary><c>banyan aml generate</c>: a synthetic bank with planted cases and its ground truth.</summary>
internal sealed class GenerateCommand : AsyncCommand<GenerateCommand.Settings>
{
    internal class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Directory for customers.jsonl, transactions.jsonl, sanctions.csv and ground_truth.jsonl")]
        public string? Out { get; init; }

        [CommandOption("--customers <N>")]
        [Description("Normal customers (default 10,000)")]
        public int Customers { get; init; } = 10_000;

        [CommandOption("--transactions <N>")]
        [Description("Normal transactions (default 200,000); planted cases come on top")]
        public int Transactions { get; init; } = 200_000;

        [CommandOption("--cases <N>")]
        [Description("Planted cases per typology (default 20)")]
        public int Cases { get; init; } = 20;

        [CommandOption("--seed <S>")]
        [Description("Random seed (default 42); the same seed writes the same files")]
        public int Seed { get; init; } = 42;

        [CommandOption("--json")]
        [Description("Print only a JSON summary on stdout")]
        public bool Json { get; init; }

        internal GeneratorOptions Validated()
        {
            if (Customers is < 50 or > 10_000_000) throw new CliUsageException("--customers must be 50..10,000,000");
            if (Transactions is < 1_000 or > 100_000_000) throw new CliUsageException("--transactions must be 1,000..100,000,000");
            if (Cases is < 1 or > 10_000) throw new CliUsageException("--cases must be 1..10,000");
            return new GeneratorOptions(Customers, Transactions, Seed, Cases);
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Out is null) throw new CliUsageException("--out <DIR> is required");
        var generator = new Generator(settings.Validated());
        generator.Write(settings.Out);
        Console.Error.WriteLine($"aml generate: {settings.Customers} normal customers, {generator.NormalTransactions} normal + {generator.PlantedTransactions} planted transactions, {settings.Cases} cases per typology → {settings.Out}");
        if (settings.Json)
            Console.Out.WriteLine(JsonSerializer.Serialize(new { directory = settings.Out, normal_transactions = generator.NormalTransactions, planted_transactions = generator.PlantedTransactions, cases_per_typology = settings.Cases, seed = settings.Seed }));
        return Task.FromResult(0);
    }
}
