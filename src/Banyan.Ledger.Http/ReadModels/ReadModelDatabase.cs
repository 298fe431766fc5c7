using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>The ledger's read-model tables alone, for the CLI (no host): same tables, same mapping as in the host's model.</summary>
internal sealed class LedgerReadModelContext(DbContextOptions<LedgerReadModelContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => ReadModelSchema.Configure(modelBuilder);
}

/// <summary>
/// Offline access to the read models for <c>banyan ledger reproject</c> and <c>verify</c>. Resolves the
/// database like the host does: <c>ConnectionStrings__Banyan</c> → PostgreSQL, else SQLite
/// <c>DATA/banyan.db</c>.
/// </summary>
internal static class ReadModelDatabase
{
    /// <summary>Every read-model table except none: the journal tables (<c>ledger_journal</c>, <c>ledger_leader</c>) are never touched.</summary>
    private static readonly string[] Tables = ["ledger_balance_history", "ledger_expirations", "ledger_transfers", "ledger_accounts", "ledger_projection_state"];

    /// <summary>Services with a scoped <see cref="DbContext"/> on the read-model database (what <see cref="LedgerProjector"/> resolves).</summary>
    public static ServiceProvider Services(string dataDirectory, string? postgres)
    {
        var services = new ServiceCollection();
        services.AddDbContext<LedgerReadModelContext>(options =>
        {
            if (postgres is not null) options.UseNpgsql(postgres);
            else options.UseSqlite(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "banyan.db"), Mode = SqliteOpenMode.ReadWrite, DefaultTimeout = 30 }.ToString());
        });
        services.AddScoped<DbContext>(sp => sp.GetRequiredService<LedgerReadModelContext>());
        services.AddMetrics();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        return services.BuildServiceProvider();
    }

    /// <summary>Deletes every read-model row and the projected sequence, in one transaction.</summary>
    public static async Task ClearAsync(DbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var table in Tables)
        {
#pragma warning disable EF1002 // the table names are the constants above, not input
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table}", cancellationToken);
#pragma warning restore EF1002
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The projected sequence and every account and transfer row, read in one snapshot (repeatable read).</summary>
    public static async Task<LedgerReadModelContents> ReadAsync(DbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var state = await db.Set<LedgerProjectionState>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == LedgerProjectionState.SingletonId, cancellationToken);
        var accounts = await db.Set<LedgerAccountRow>().AsNoTracking().ToListAsync(cancellationToken);
        var transfers = (await db.Set<LedgerTransferRow>().AsNoTracking().ToListAsync(cancellationToken)).Select(t => t.ToTransfer()).ToList();
        var expirations = await db.Set<LedgerExpirationRow>().AsNoTracking().ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var balances = Reconstruct(transfers, expirations);
        return new LedgerReadModelContents(
            state is null ? 0 : checked((ulong)state.Sequence),
            accounts.Select(row => WithBalances(ToAccount(row), balances)).ToList(),
            transfers);
    }

    /// <summary>Every account's four balances from the projected rows, the way <see cref="BalanceQueries.AtAsync"/> does it for one account.</summary>
    private static Dictionary<UInt128, Balances> Reconstruct(List<Transfer> transfers, List<LedgerExpirationRow> expirations)
    {
        var balances = new Dictionary<UInt128, Balances>();
        var pendings = new Dictionary<UInt128, UInt128>();
        foreach (var t in transfers.OrderBy(t => t.Timestamp))
        {
            if ((t.Flags & TransferFlags.Pending) != 0) pendings[t.Id] = t.Amount;
            var resolves = (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0;
            var pending = resolves ? pendings.GetValueOrDefault(t.PendingId) : UInt128.Zero;
            balances[t.DebitAccountId] = balances.GetValueOrDefault(t.DebitAccountId).Apply(t, t.DebitAccountId, pending);
            if (t.CreditAccountId != t.DebitAccountId)
                balances[t.CreditAccountId] = balances.GetValueOrDefault(t.CreditAccountId).Apply(t, t.CreditAccountId, pending);
        }
        foreach (var e in expirations)
        {
            var amount = Columns.ParseAmount(e.Amount);
            var debit = Columns.ParseId(e.DebitAccountId);
            var credit = Columns.ParseId(e.CreditAccountId);
            balances[debit] = balances.GetValueOrDefault(debit).Release(true, amount);
            balances[credit] = balances.GetValueOrDefault(credit).Release(false, amount);
        }
        return balances;
    }

    private static Account WithBalances(Account account, Dictionary<UInt128, Balances> balances)
    {
        var b = balances.GetValueOrDefault(account.Id);
        account.DebitsPending = b.DebitsPending;
        account.DebitsPosted = b.DebitsPosted;
        account.CreditsPending = b.CreditsPending;
        account.CreditsPosted = b.CreditsPosted;
        return account;
    }

    private static Account ToAccount(LedgerAccountRow row) => new()
    {
        Id = Columns.ParseId(row.Id),
        Ledger = checked((uint)row.Ledger),
        Code = checked((ushort)row.Code),
        Flags = (AccountFlags)checked((ushort)row.Flags),
        UserData128 = Columns.ParseId(row.UserData128),
        UserData64 = ulong.Parse(row.UserData64, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture),
        UserData32 = checked((uint)row.UserData32),
        Timestamp = checked((ulong)row.Timestamp),
    };
}
