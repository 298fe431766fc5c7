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
/// Creates and evolves the schema on start (decision 0003): every table of the model that does not
/// exist yet is created with its indexes, in one transaction. Changing an existing table (a new or
/// altered column) is not done silently: start-up stops and names the difference.
/// </summary>
internal static class SchemaInitializer
{
    /// <summary>Bumped when the platform's own tables change shape.</summary>
    public const int SchemaVersion = 1;

    public static async Task<IReadOnlyList<string>> EnsureSchemaAsync(BanyanDbContext db, TimeProvider time, CancellationToken cancellationToken)
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

        var existing = await ExistingColumnsAsync(db, provider, cancellationToken);
        var designModel = db.GetService<IDesignTimeModel>().Model;
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, designModel.GetRelationalModel());
        var missing = operations.OfType<CreateTableOperation>().Where(t => !existing.ContainsKey(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        CheckExistingTablesMatch(operations.OfType<CreateTableOperation>().Where(t => existing.ContainsKey(t.Name)), existing);
        if (missing.Count == 0)
        {
            return [];
        }

        var toRun = operations.Where(op => op switch
        {
            CreateTableOperation t => missing.Contains(t.Name),
            CreateIndexOperation i => missing.Contains(i.Table),
            AddForeignKeyOperation f => missing.Contains(f.Table),
            // Sequences are only created with a brand-new schema; a module adding one later is a schema change (decision 0003).
            CreateSequenceOperation => missing.Count == operations.OfType<CreateTableOperation>().Count(),
            _ => false,
        }).ToList();
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(toRun, db.Model, MigrationsSqlGenerationOptions.Default);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var command in commands)
        {
            await db.Database.ExecuteSqlRawAsync(command.CommandText, cancellationToken);
        }

        var created = missing.Order(StringComparer.Ordinal).ToArray();
        db.SchemaHistory.Add(new SchemaHistoryEntry
        {
            AppliedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            SchemaVersion = SchemaVersion,
            HostVersion = typeof(SchemaInitializer).Assembly.GetName().Version?.ToString() ?? "0",
            CreatedTables = string.Join(',', created),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    private static void CheckExistingTablesMatch(IEnumerable<CreateTableOperation> tables, Dictionary<string, HashSet<string>> existing)
    {
        foreach (var table in tables)
        {
            var absent = table.Columns.Select(c => c.Name).Where(c => !existing[table.Name].Contains(c)).ToArray();
            if (absent.Length > 0)
            {
                throw new InvalidOperationException(
                    $"Table '{table.Name}' lacks column(s) {string.Join(", ", absent)} that this version needs. " +
                    "Changing an existing table needs a migration step (see docs/decisions/0003-schema-creation.md); " +
                    "for a development data directory, start with an empty one.");
            }
        }
    }

    private static async Task<Dictionary<string, HashSet<string>>> ExistingColumnsAsync(BanyanDbContext db, StorageProvider provider, CancellationToken cancellationToken)
    {
        var sql = provider == StorageProvider.PostgreSql
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                if (!result.TryGetValue(table, out var columns))
                {
                    result[table] = columns = new HashSet<string>(StringComparer.Ordinal);
                }

                columns.Add(reader.GetString(1));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return result;
    }
}
