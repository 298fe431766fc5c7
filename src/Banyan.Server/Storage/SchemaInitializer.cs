using System.Data.Common;
using Banyan.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;

namespace Banyan.Server.Storage;

/// <summary>
/// Creates and evolves the schema on start (decisions 0003 and 0007): every table of the model that does not
/// exist yet is created with its indexes; existing tables get the nullable or defaulted columns and the
/// indexes they lack. All of it runs in one transaction. Anything else (a NOT NULL column without a default,
/// renames, drops, type changes) is not done silently: start-up stops, names the difference and changes nothing.
/// </summary>
internal static class SchemaInitializer
{
    /// <summary>Bumped when the platform's own tables change shape (2: history records added columns and indexes).</summary>
    public const int SchemaVersion = 2;

    /// <summary>Brings the database up to the model; returns the names of the tables it created.</summary>
    public static async Task<IReadOnlyList<string>> EnsureSchemaAsync(BanyanDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var provider = await PrepareDatabaseAsync(db, cancellationToken);
        var existingColumns = await ExistingColumnsAsync(db, provider, cancellationToken);
        var existingIndexes = await ExistingIndexesAsync(db, provider, cancellationToken);
        var designModel = db.GetService<IDesignTimeModel>().Model;
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, designModel.GetRelationalModel());
        var plan = SchemaPlan.For(operations, existingColumns, existingIndexes);
        if (plan.IsEmpty)
        {
            return [];
        }

        await ApplyAsync(db, plan, time, cancellationToken);
        if (plan.AddedColumns.Count > 0 || plan.AddedIndexes.Count > 0)
        {
            db.GetService<ILoggerFactory>().CreateLogger(typeof(SchemaInitializer).FullName!).LogInformation(
                "Evolved existing tables: added columns [{Columns}], added indexes [{Indexes}]",
                string.Join(", ", plan.AddedColumnNames), string.Join(", ", plan.AddedIndexNames));
        }

        return plan.CreatedTables;
    }

    private static async Task<StorageProvider> PrepareDatabaseAsync(BanyanDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            await creator.CreateAsync(cancellationToken);
        }

        var provider = db.Database.IsNpgsql() ? StorageProvider.PostgreSql : StorageProvider.Sqlite;
        if (provider == StorageProvider.Sqlite)
        {
            // WAL lets readers proceed during a write; the setting is stored in the database file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        return provider;
    }

    /// <summary>
    /// Columns first (the history table itself may be one that gains columns, so the row written last
    /// can use them), then new tables, then indexes on existing tables (which may cover new columns).
    /// One transaction: a failing step leaves the database as it was.
    /// </summary>
    private static async Task ApplyAsync(BanyanDbContext db, SchemaPlan plan, TimeProvider time, CancellationToken cancellationToken)
    {
        var generator = db.GetService<IMigrationsSqlGenerator>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var column in plan.AddedColumns)
        {
            await RunAsync(db, generator, [column], $"Adding column '{column.Name}' to table '{column.Table}' failed", cancellationToken);
        }

        await RunAsync(db, generator, plan.NewTableOperations, "Creating tables failed", cancellationToken);
        foreach (var index in plan.AddedIndexes)
        {
            var what = index.IsUnique ? "unique index" : "index";
            await RunAsync(db, generator, [index], $"Creating {what} '{index.Name}' on existing table '{index.Table}' failed (a unique index fails when existing rows hold duplicates)", cancellationToken);
        }

        db.SchemaHistory.Add(new SchemaHistoryEntry
        {
            AppliedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            SchemaVersion = SchemaVersion,
            HostVersion = typeof(SchemaInitializer).Assembly.GetName().Version?.ToString() ?? "0",
            CreatedTables = string.Join(',', plan.CreatedTables),
            AddedColumns = plan.AddedColumns.Count == 0 ? null : string.Join(',', plan.AddedColumnNames),
            AddedIndexes = plan.AddedIndexes.Count == 0 ? null : string.Join(',', plan.AddedIndexNames),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task RunAsync(BanyanDbContext db, IMigrationsSqlGenerator generator, IReadOnlyList<MigrationOperation> operations, string failure, CancellationToken cancellationToken)
    {
        if (operations.Count == 0)
        {
            return;
        }

        foreach (var command in generator.Generate(operations, db.Model, MigrationsSqlGenerationOptions.Default))
        {
            try
            {
                await db.Database.ExecuteSqlRawAsync(command.CommandText, cancellationToken);
            }
            catch (DbException e)
            {
                throw new InvalidOperationException($"{failure}: {e.Message} Nothing was changed.", e);
            }
        }
    }

    private static async Task<Dictionary<string, HashSet<string>>> ExistingColumnsAsync(BanyanDbContext db, StorageProvider provider, CancellationToken cancellationToken)
    {
        var sql = provider == StorageProvider.PostgreSql
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (table, column) in await QueryPairsAsync(db, sql, cancellationToken))
        {
            if (!result.TryGetValue(table, out var columns))
            {
                result[table] = columns = new HashSet<string>(StringComparer.Ordinal);
            }

            columns.Add(column);
        }

        return result;
    }

    private static async Task<HashSet<string>> ExistingIndexesAsync(BanyanDbContext db, StorageProvider provider, CancellationToken cancellationToken)
    {
        // Index names are unique per schema (PostgreSQL) and per database file (SQLite), so the name identifies the index.
        var sql = provider == StorageProvider.PostgreSql
            ? "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()"
            : "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'";
        return (await QueryPairsAsync(db, sql, cancellationToken)).Select(p => p.Second).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<List<(string First, string Second)>> QueryPairsAsync(BanyanDbContext db, string sql, CancellationToken cancellationToken)
    {
        var result = new List<(string, string)>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                result.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return result;
    }
}
