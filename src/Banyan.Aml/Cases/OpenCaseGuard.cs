using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Aml.Cases;

/// <summary>
/// "One non-closed case per party" at the database level (decision 0644): a unique partial index on
/// <c>aml_cases(Party) WHERE Status &lt;&gt; 'closed'</c>, so two writers (imports on two hosts, an import and the live
/// monitor) cannot both open a case for one customer. The loser's transaction fails on the index; it is rolled back
/// and run again, and then finds the winner's case and attaches its alerts to it.
/// </summary>
internal static class OpenCaseGuard
{
    public const string IndexName = "ux_aml_cases_open_party";

    /// <summary>The index predicate, valid SQL for SQLite and PostgreSQL (the model keeps EF's quoted column names).</summary>
    public const string Filter = "\"Status\" <> 'closed'";

    /// <summary>Attempts before giving up: one race per new party is lost at most once, so a third failure is not a race.</summary>
    public const int MaxAttempts = 3;

    /// <summary>
    /// Adds the index to a database whose <c>aml_cases</c> table predates it (the host creates indexes only with new
    /// tables). Idempotent. Fails, naming the cause, when the table already holds two open cases for one party.
    /// </summary>
    public static Task EnsureIndexAsync(DbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync($"CREATE UNIQUE INDEX IF NOT EXISTS {IndexName} ON aml_cases (\"Party\") WHERE {Filter}", ct);

    /// <summary>Runs <paramref name="attempt"/> (which opens and commits its own transaction) again when it lost the race on the index.</summary>
    public static async Task<T> RetryAsync<T>(DbContext db, Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt(ct);
            }
            catch (DbUpdateException e) when (i < MaxAttempts && IsOpenCaseRace(e))
            {
                // The failed transaction was rolled back when it was disposed; forget its tracked rows and read again.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>True when the failure is the unique partial index (PostgreSQL names the index, SQLite the column).</summary>
    internal static bool IsOpenCaseRace(DbUpdateException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        return message.Contains(IndexName, StringComparison.Ordinal) || message.Contains("aml_cases.Party", StringComparison.Ordinal);
    }
}

/// <summary>Adds the open-case index on start to a database created before it existed (after the host created the schema).</summary>
internal sealed class OpenCaseIndexStartup(IServiceScopeFactory scopes, ILogger<OpenCaseIndexStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await OpenCaseGuard.EnsureIndexAsync(scope.ServiceProvider.GetRequiredService<DbContext>(), cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            // Existing data breaks the rule (two open cases for one party from before the index): keep serving, say what to fix.
            log.LogError(e, "AML: the unique open-case index {Index} could not be created; close or merge duplicate open cases per party and restart", OpenCaseGuard.IndexName);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
