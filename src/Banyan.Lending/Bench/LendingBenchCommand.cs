using System.ComponentModel;
using Spectre.Console.Cli;

namespace Banyan.Lending.Bench;

/// <summary><c>banyan lending bench [--loans N] [--dir PATH]</c>: the daily-close benchmark.</summary>
internal sealed class LendingBenchCommand : AsyncCommand<LendingBenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--loans <N>")]
        [Description("Loans in the book (default 1,000,000).")]
        public int Loans { get; init; } = 1_000_000;

        [CommandOption("--dir <PATH>")]
        [Description("Directory for the benchmark ledger (default: a new temporary directory, removed afterwards).")]
        public string? Directory { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Loans is < 1 or > CloseBenchmark.MaxLoans
                ? Spectre.Console.ValidationResult.Error($"--loans must be between 1 and {CloseBenchmark.MaxLoans}")
                : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var temporary = settings.Directory is null;
        var directory = settings.Directory ?? Path.Combine(Path.GetTempPath(), "banyan-lending-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await CloseBenchmark.RunAsync(settings.Loans, directory, Console.Out, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            if (temporary && System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        }
    }
}
