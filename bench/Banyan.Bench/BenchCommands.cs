using Spectre.Console.Cli;

namespace Banyan.Bench;

/// <summary>Registers the <c>banyan bench …</c> commands.</summary>
public static class BenchCommands
{
    /// <summary>Adds <c>ledger</c> (and later modules' benches) under the <c>bench</c> branch.</summary>
    public static void Configure(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
    }
}
