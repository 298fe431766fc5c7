using Banyan.Platform;
using Microsoft.Extensions.Configuration;

namespace Banyan.Ledger.Http.Cli;

/// <summary>
/// Where a stopped (or running) server keeps its ledger, resolved for CLI commands the way the host
/// resolves it: options on the command line first, then the <c>Banyan__…</c> / <c>ConnectionStrings__Banyan</c>
/// environment the server would read.
/// </summary>
internal sealed record LedgerCliStorage(string DataDirectory, string LedgerDirectory, string? JournalPostgres, string? ReadModelPostgres)
{
    public static LedgerCliStorage Resolve(string data, string? journalPostgres, string? readModelConnection)
    {
        var dataDirectory = Path.GetFullPath(data);
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var readModels = readModelConnection ?? environment.GetConnectionString("Banyan");
        var journal = journalPostgres;
        if (journal is null && LedgerModule.ReadJournalKind(environment["Banyan:Ledger:Journal"]) == LedgerJournalKind.Postgres)
        {
            journal = environment["Banyan:Ledger:Postgres"] ?? readModels
                ?? throw new CliUsageException("Banyan__Ledger__Journal=postgres but no Banyan__Ledger__Postgres or ConnectionStrings__Banyan is set (or pass --postgres)");
        }
        return new LedgerCliStorage(dataDirectory, Path.Combine(dataDirectory, "ledger"), journal, readModels);
    }

    /// <summary>Whether there are read models to open: a PostgreSQL connection, or the host's SQLite file.</summary>
    public bool HasReadModels => ReadModelPostgres is not null || File.Exists(Path.Combine(DataDirectory, "banyan.db"));

    /// <summary>Engine options as the server would build them, with the journal backend resolved here.</summary>
    public LedgerOptions EngineOptions()
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var options = LedgerModule.ReadOptions(environment, LedgerDirectory);
        return options with
        {
            Journal = JournalPostgres is null ? LedgerJournalKind.File : LedgerJournalKind.Postgres,
            PostgresConnectionString = JournalPostgres,
        };
    }
}
