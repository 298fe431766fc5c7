using Banyan.Platform;
using Banyan.Server.Storage;
using Banyan.Server.Tests.Support;
using Banyan.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Server.Tests;

/// <summary>
/// Additive schema evolution on start-up (decision 0007): one table of a small module in several versions,
/// upgraded in place on a kept SQLite data directory or PostgreSQL database.
/// </summary>
public sealed class SchemaEvolutionTests
{
    [Fact]
    public async Task Upgrade_adds_nullable_and_defaulted_columns_old_rows_read_null_and_default_and_history_records_it() =>
        await WithSqliteAsync(UpgradeAddsColumnsScenarioAsync);

    [Fact]
    public async Task Not_null_column_without_default_stops_start_up_naming_table_and_column_and_changes_nothing() =>
        await WithSqliteAsync(RefusalScenarioAsync);

    [Fact]
    public async Task Index_declared_on_an_existing_table_is_created_and_recorded() =>
        await WithSqliteAsync(IndexScenarioAsync);

    [Fact]
    public async Task Unique_index_over_duplicate_rows_stops_start_up_naming_the_index_and_rolls_back_the_columns_added_with_it() =>
        await WithSqliteAsync(UniqueIndexScenarioAsync);

    [Fact]
    public async Task Database_whose_history_table_predates_the_added_columns_is_upgraded_and_records_the_upgrade()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            var store = Store.Sqlite(directory);
            await using (var v1 = await store.StartAsync(new EvoV1Module()))
            {
                await using var db = await ContextAsync(v1);
                // The shape of platform_schema_history before schema version 2 (SQLite >= 3.35 drops columns).
                await db.Database.ExecuteSqlRawAsync("ALTER TABLE platform_schema_history DROP COLUMN AddedColumns");
                await db.Database.ExecuteSqlRawAsync("ALTER TABLE platform_schema_history DROP COLUMN AddedIndexes");
            }

            SqliteConnection.ClearAllPools();
            await using var v2 = await store.StartAsync(new EvoV2Module());
            await using var check = await ContextAsync(v2);
            var last = await check.SchemaHistory.OrderBy(h => h.Id).LastAsync();
            Assert.Equal("evo_items.Note,evo_items.Priority,evo_items.Source,platform_schema_history.AddedColumns,platform_schema_history.AddedIndexes", last.AddedColumns);
            Assert.Equal(SchemaInitializer.SchemaVersion, last.SchemaVersion);
            Assert.Null((await check.SchemaHistory.OrderBy(h => h.Id).FirstAsync()).AddedColumns);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TestHost.TryDelete(directory);
        }
    }

    [SkippableFact]
    public async Task Upgrade_on_postgres_adds_columns_old_rows_read_null_and_default_and_history_records_it() =>
        await WithPostgresAsync(UpgradeAddsColumnsScenarioAsync);

    [SkippableFact]
    public async Task Not_null_column_without_default_on_postgres_stops_start_up_and_changes_nothing() =>
        await WithPostgresAsync(RefusalScenarioAsync);

    [SkippableFact]
    public async Task Index_declared_on_an_existing_table_on_postgres_is_created_and_recorded() =>
        await WithPostgresAsync(IndexScenarioAsync);

    [SkippableFact]
    public async Task Unique_index_over_duplicate_rows_on_postgres_stops_start_up_and_rolls_back_the_columns_added_with_it() =>
        await WithPostgresAsync(UniqueIndexScenarioAsync);

    [Fact]
    public async Task Restarting_with_every_real_module_finds_every_column_and_index_and_changes_nothing() =>
        await WithSqliteAsync(RestartWithAllModulesScenarioAsync);

    [SkippableFact]
    public async Task Restarting_with_every_real_module_on_postgres_finds_every_column_and_index_and_changes_nothing() =>
        await WithPostgresAsync(RestartWithAllModulesScenarioAsync);

    /// <summary>Guards the catalog comparison itself: an index or column name read back differently would be "added" again on every start.</summary>
    private static async Task RestartWithAllModulesScenarioAsync(Store store)
    {
        int history;
        await using (var first = await store.StartAllAsync())
        {
            await using var db = await ContextAsync(first);
            history = await db.SchemaHistory.CountAsync();
            Assert.Equal(1, history);
        }

        store.ReleaseConnections();
        await using var second = await store.StartAllAsync();
        await using var check = await ContextAsync(second);
        Assert.Equal(history, await check.SchemaHistory.CountAsync());
    }

    private static async Task UpgradeAddsColumnsScenarioAsync(Store store)
    {
        await SeedV1Async(store, ("old", 1));
        int historyBefore;
        await using (var v2 = await store.StartAsync(new EvoV2Module()))
        {
            await using var db = await ContextAsync(v2);
            var old = await db.Set<EvoItemV2>().SingleAsync(i => i.Id == 1);
            Assert.Equal("old", old.Text);
            Assert.Null(old.Note);
            Assert.Equal(EvoV2Module.DefaultPriority, old.Priority);
            Assert.Equal("legacy", old.Source);

            db.Set<EvoItemV2>().Add(new EvoItemV2 { Id = 2, Text = "new", Note = "noted", Priority = 7, Source = "api" });
            db.Set<EvoItemV2>().Add(new EvoItemV2 { Id = 3, Text = "new, priority left out" });
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            var rows = await db.Set<EvoItemV2>().OrderBy(i => i.Id).AsNoTracking().ToListAsync();
            Assert.Equal([(1L, null, 3, "legacy"), (2L, "noted", 7, "api"), (3L, null, 3, "")], rows.Select(r => (r.Id, r.Note, r.Priority, r.Source)));

            var last = await db.SchemaHistory.OrderBy(h => h.Id).LastAsync();
            Assert.Equal("evo_items.Note,evo_items.Priority,evo_items.Source", last.AddedColumns);
            Assert.Equal("", last.CreatedTables);
            Assert.Null(last.AddedIndexes);
            Assert.Equal(["Id", "Note", "Priority", "Source", "Text"], await store.ColumnsAsync(db));
            Assert.Contains(v2.Logs.Lines, l => l.Contains("added columns [evo_items.Note, evo_items.Priority, evo_items.Source]", StringComparison.Ordinal));
            historyBefore = await db.SchemaHistory.CountAsync();
        }

        store.ReleaseConnections();
        await using var again = await store.StartAsync(new EvoV2Module());
        await using var check = await ContextAsync(again);
        Assert.Equal(historyBefore, await check.SchemaHistory.CountAsync());
        Assert.Equal(3, await check.Set<EvoItemV2>().CountAsync());
    }

    private static async Task RefusalScenarioAsync(Store store)
    {
        var before = await SeedV1Async(store, ("old", 1));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.StartAsync(new EvoBadModule()));
        store.ReleaseConnections();
        var message = failure.ToString();
        Assert.Contains("'evo_items'", message, StringComparison.Ordinal);
        Assert.Contains("Level", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Note", message.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("declare a default or make it nullable", message, StringComparison.Ordinal);

        var after = await SnapshotAsync(store);
        Assert.Equal(before, after);
        Assert.Equal("Id,Text", after.Columns);
    }

    private static async Task IndexScenarioAsync(Store store)
    {
        var before = await SeedV1Async(store, ("a", 1), ("b", 2));
        Assert.DoesNotContain(EvoIndexedModule.IndexName, before.Indexes, StringComparison.Ordinal);
        await using (var indexed = await store.StartAsync(new EvoIndexedModule()))
        {
            await using var db = await ContextAsync(indexed);
            Assert.Contains(EvoIndexedModule.IndexName, await store.IndexesAsync(db));
            var last = await db.SchemaHistory.OrderBy(h => h.Id).LastAsync();
            Assert.Equal(EvoIndexedModule.IndexName, last.AddedIndexes);
            Assert.Null(last.AddedColumns);
            Assert.Equal(before.History + 1, await db.SchemaHistory.CountAsync());
        }

        store.ReleaseConnections();
    }

    private static async Task UniqueIndexScenarioAsync(Store store)
    {
        var before = await SeedV1Async(store, ("same", 1), ("same", 2));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.StartAsync(new EvoUniqueModule()));
        store.ReleaseConnections();
        Assert.Contains($"unique index '{EvoUniqueModule.IndexName}'", failure.ToString(), StringComparison.Ordinal);

        // The column added earlier in the same start-up is rolled back with the failed index.
        var after = await SnapshotAsync(store);
        Assert.Equal(before, after);
        Assert.Equal("Id,Text", after.Columns);
    }

    /// <summary>Starts version 1, writes the rows, stops, and returns what the database then holds.</summary>
    private static async Task<Snapshot> SeedV1Async(Store store, params (string Text, long Id)[] rows)
    {
        await using (var v1 = await store.StartAsync(new EvoV1Module()))
        {
            await using var db = await ContextAsync(v1);
            db.Set<EvoItemV1>().AddRange(rows.Select(r => new EvoItemV1 { Id = r.Id, Text = r.Text }));
            await db.SaveChangesAsync();
        }

        store.ReleaseConnections();
        return await SnapshotAsync(store);
    }

    /// <summary>Reads the table's columns and indexes and the history length through a version-1 host, which changes nothing.</summary>
    private static async Task<Snapshot> SnapshotAsync(Store store)
    {
        await using var v1 = await store.StartAsync(new EvoV1Module());
        await using var db = await ContextAsync(v1);
        var snapshot = new Snapshot(
            string.Join(',', await store.ColumnsAsync(db)),
            string.Join(',', await store.IndexesAsync(db)),
            await db.SchemaHistory.CountAsync(),
            await db.Set<EvoItemV1>().CountAsync());
        await db.DisposeAsync();
        await v1.DisposeAsync();
        store.ReleaseConnections();
        return snapshot;
    }

    private static async Task<BanyanDbContext> ContextAsync(TestHost host) =>
        await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();

    private static async Task WithSqliteAsync(Func<Store, Task> scenario)
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await scenario(Store.Sqlite(directory));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TestHost.TryDelete(directory);
        }
    }

    private static async Task WithPostgresAsync(Func<Store, Task> scenario)
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_evolution");
        var directory = TestHost.NewDataDirectory();
        try
        {
            await scenario(Store.Postgres(directory, database.ConnectionString));
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    private sealed record Snapshot(string Columns, string Indexes, int History, int Rows);

    /// <summary>One kept database (SQLite data directory or PostgreSQL database) and how to read its catalog.</summary>
    private sealed class Store
    {
        private readonly string _directory;
        private readonly string[] _args;
        private readonly bool _postgres;

        private Store(string directory, string[] args, bool postgres)
        {
            _directory = directory;
            _args = args;
            _postgres = postgres;
        }

        public static Store Sqlite(string directory) => new(directory, [], postgres: false);

        public static Store Postgres(string directory, string connectionString) =>
            new(directory, ["--ConnectionStrings:Banyan=" + connectionString], postgres: true);

        public Task<TestHost> StartAsync(IBanyanModule module) => TestHost.StartAsync(_args, _directory, [module]);

        public Task<TestHost> StartAllAsync() => TestHost.StartAsync(_args, _directory, Modules.All());

        /// <summary>A failed start does not pass through TestHost.DisposeAsync; let go of pooled SQLite handles either way.</summary>
        public void ReleaseConnections()
        {
            if (!_postgres)
            {
                SqliteConnection.ClearAllPools();
            }
        }

        public async Task<List<string>> ColumnsAsync(BanyanDbContext db) => await QueryAsync(db, _postgres
            ? "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'evo_items'"
            : "SELECT name AS \"Value\" FROM pragma_table_info('evo_items')");

        public async Task<List<string>> IndexesAsync(BanyanDbContext db) => await QueryAsync(db, _postgres
            ? "SELECT indexname AS \"Value\" FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'evo_items'"
            : "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'evo_items'");

        private static async Task<List<string>> QueryAsync(BanyanDbContext db, string sql) =>
            (await db.Database.SqlQueryRaw<string>(sql).ToListAsync()).Order(StringComparer.Ordinal).ToList();
    }
}

internal sealed class EvoItemV1
{
    public long Id { get; set; }

    public string Text { get; set; } = "";
}

internal sealed class EvoItemV2
{
    public long Id { get; set; }

    public string Text { get; set; } = "";

    public string? Note { get; set; }

    public int Priority { get; set; }

    public string Source { get; set; } = "";
}

internal sealed class EvoItemBad
{
    public long Id { get; set; }

    public string Text { get; set; } = "";

    public string? Note { get; set; }

    public int Level { get; set; }
}

/// <summary>Version 1 of the test module "evo": one table.</summary>
internal class EvoV1Module : BanyanModule
{
    public override string Name => "evo";

    public override void ConfigureModel(ModelBuilder model) => Configure(model);

    internal static Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<EvoItemV1> Configure(ModelBuilder model)
    {
        var item = model.Entity<EvoItemV1>();
        item.ToTable("evo_items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).ValueGeneratedNever();
        item.Property(i => i.Text).HasMaxLength(100);
        return item;
    }
}

/// <summary>Version 2: a nullable column, a NOT NULL column with a declared default value and one with a default SQL expression.</summary>
internal sealed class EvoV2Module : BanyanModule
{
    public const int DefaultPriority = 3;

    public override string Name => "evo";

    public override void ConfigureModel(ModelBuilder model)
    {
        var item = model.Entity<EvoItemV2>();
        item.ToTable("evo_items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).ValueGeneratedNever();
        item.Property(i => i.Text).HasMaxLength(100);
        item.Property(i => i.Note).HasMaxLength(50);
        item.Property(i => i.Priority).HasDefaultValue(DefaultPriority);
        item.Property(i => i.Source).HasMaxLength(20).HasDefaultValueSql("'legacy'");
    }
}

/// <summary>A bad version 2: a nullable column (allowed) beside a NOT NULL column without a default (refused).</summary>
internal sealed class EvoBadModule : BanyanModule
{
    public override string Name => "evo";

    public override void ConfigureModel(ModelBuilder model)
    {
        var item = model.Entity<EvoItemBad>();
        item.ToTable("evo_items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).ValueGeneratedNever();
        item.Property(i => i.Text).HasMaxLength(100);
        item.Property(i => i.Note).HasMaxLength(50);
    }
}

/// <summary>Version 1 plus an index on an existing column.</summary>
internal sealed class EvoIndexedModule : EvoV1Module
{
    public const string IndexName = "ix_evo_items_text";

    public override void ConfigureModel(ModelBuilder model) => Configure(model).HasIndex(i => i.Text).HasDatabaseName(IndexName);
}

/// <summary>Version 1 plus a nullable column (allowed) and a unique index on an existing column (fails over duplicate rows).</summary>
internal sealed class EvoUniqueModule : BanyanModule
{
    public const string IndexName = "ux_evo_items_text";

    public override string Name => "evo";

    public override void ConfigureModel(ModelBuilder model)
    {
        var item = model.Entity<EvoItemUnique>();
        item.ToTable("evo_items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).ValueGeneratedNever();
        item.Property(i => i.Text).HasMaxLength(100);
        item.Property(i => i.Note).HasMaxLength(50);
        item.HasIndex(i => i.Text).IsUnique().HasDatabaseName(IndexName);
    }
}

internal sealed class EvoItemUnique
{
    public long Id { get; set; }

    public string Text { get; set; } = "";

    public string? Note { get; set; }
}
