using Banyan.Bench.Ledger;
using Spectre.Console.Cli;

namespace Banyan.Bench;

/// <summary>Registers the <c>banyan bench …</c> commands.</summary>
public static class BenchCommands
{
    /// <summary>Adds <c>ledger</c> (and later modules' benches) under the <c>bench</c> branch.</summary>
    public static void Configure(IConfigurator<CommandSettings> bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        bench.AddCommand<LedgerBenchCommand>("ledger")
            .WithDescription("Ledger throughput: in-process, bulk path and REST from another process, PostgreSQL baseline, replay.")
            .WithExample("bench", "ledger", "--quick");
        bench.AddCommand<LedgerFailoverBenchCommand>("ledger-failover")
            .WithDescription("Ledger takeover time on the PostgreSQL journal: a dead leader replaced by a standby, and a clean handover.")
            .WithExample("bench", "ledger-failover", "--rounds", "3");
        // The client side of rows 2 and 3, started by `bench ledger` as a separate process.
        bench.AddCommand<LedgerClientBenchCommand>("ledger-client").IsHidden();
    }
}
