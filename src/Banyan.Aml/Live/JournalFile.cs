using Banyan.Aml.Cli;
using Banyan.Aml.RuleSets;
using Banyan.Aml.Screening;
using Banyan.Ledger;
using Banyan.Platform;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Live;

/// <summary>
/// <c>banyan aml backtest --journal DIR</c>: opens a stopped host's ledger directory and its SQLite database read for the
/// AML registry, the active rule set and the newest sanctions list, and runs <see cref="JournalBacktest"/>. The ledger
/// takes its exclusive lock, so a running host makes this fail with a clear message (use the HTTP backtest then).
/// </summary>
internal static class JournalFile
{
    public static async Task<Dictionary<string, object?>> BacktestAsync(string ledgerDirectory, string database, RuleSet candidate, RuleSet? baseline, TextWriter log, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<RealtimeBenchDb>().UseSqlite($"Data Source={database};Mode=ReadOnly").Options;
        await using var db = new RealtimeBenchDb(options);
        var registry = await db.Set<MonitoredAccountRow>().AsNoTracking().ToListAsync(ct);
        baseline ??= await RuleSetStore.LoadActiveAsync(db, ct);
        using var lists = new SanctionsLists();
        await lists.LoadNewestAsync(db, ct);
        LedgerEngine ledger;
        try
        {
            ledger = LedgerEngine.Open(new LedgerOptions { Directory = ledgerDirectory });
        }
        catch (IOException e)
        {
            throw new CliUsageException($"cannot open the ledger in {ledgerDirectory} ({e.Message}); if the host is running, use POST /v1/aml/rules/{{id}}/versions/{{version}}/backtest");
        }
        await using (ledger)
        {
            log.WriteLine($"registry: {registry.Count:N0} accounts; sanctions list: {(lists.Current is { } l ? $"version {l.Version}, {l.Entries} entries" : "none")}");
            return await JournalBacktest.RunAsync(ledger, registry, baseline, candidate, lists.Current?.Matcher, log, ct);
        }
    }
}
