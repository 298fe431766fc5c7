using System.Net;
using Banyan.Server.Storage;
using Banyan.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Server.Tests;

public sealed class StorageTests
{
    [Fact]
    public async Task Embedded_default_is_a_wal_sqlite_file_with_platform_and_module_tables()
    {
        await using var host = await TestHost.StartAsync();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "banyan.db")}");
        await connection.OpenAsync();
        await using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync());
        await using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'";
        var names = ((string)(await tables.ExecuteScalarAsync())!).Split(',');
        Assert.Contains("test_notes", names);
        Assert.Contains("platform_idempotency", names);
        Assert.Contains("platform_schema_history", names);
    }

    [Fact]
    public async Task Restart_keeps_data_and_creates_nothing_new()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using (var host = await TestHost.StartAsync(dataDirectory: directory))
            {
                await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
                db.Set<TestNote>().Add(new TestNote { Id = 7, Text = "kept" });
                await db.SaveChangesAsync();
            }

            await using (var host = await TestHost.StartAsync(dataDirectory: directory))
            {
                await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
                Assert.Equal("kept", (await db.Set<TestNote>().SingleAsync()).Text);
                Assert.Equal(1, await db.SchemaHistory.CountAsync());
            }
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    [Fact]
    public async Task A_module_added_later_gets_its_tables_created_on_the_next_start()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using (await TestHost.StartAsync(dataDirectory: directory))
            {
            }

            await using var host = await TestHost.StartAsync(dataDirectory: directory, extraModules: [new LaterModule()]);
            await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
            var history = await db.SchemaHistory.OrderBy(h => h.Id).ToListAsync();
            Assert.Equal(2, history.Count);
            Assert.Equal("later_items", history[1].CreatedTables);
            db.Set<LaterItem>().Add(new LaterItem { Id = 1 });
            await db.SaveChangesAsync();
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    [Fact]
    public async Task Existing_table_missing_a_column_stops_start_up_with_a_clear_message()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using (await TestHost.StartAsync(dataDirectory: directory))
            {
            }

            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "banyan.db")};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var alter = connection.CreateCommand();
                alter.CommandText = "ALTER TABLE test_notes DROP COLUMN Text";
                await alter.ExecuteNonQueryAsync();
            }

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(dataDirectory: directory));
            Assert.Contains("test_notes", error.Message, StringComparison.Ordinal);
            Assert.Contains("Text", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    [Fact]
    public async Task Module_table_without_its_prefix_stops_start_up()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHost.StartAsync(extraModules: [new BadPrefixModule()]));
        Assert.Contains("'notes'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_seeds_an_empty_data_directory_once()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using (var host = await TestHost.StartAsync(["--demo"], directory))
            {
                Assert.True(File.Exists(Path.Combine(directory, ".demo-seeded")));
                await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
                Assert.Equal("demo", (await db.Set<TestNote>().SingleAsync()).Text);
            }

            // Seeding again would hit the same primary key; a second --demo start must not try.
            await using (var host = await TestHost.StartAsync(["--demo"], directory))
            {
                using var ping = await host.Client.GetAsync(new Uri("/health", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            }
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    [Fact]
    public async Task Demo_does_not_seed_a_data_directory_that_already_held_data()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using (await TestHost.StartAsync(dataDirectory: directory))
            {
            }

            await using var host = await TestHost.StartAsync(["--demo"], directory);
            Assert.False(File.Exists(Path.Combine(directory, ".demo-seeded")));
            await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
            Assert.Equal(0, await db.Set<TestNote>().CountAsync());
        }
        finally
        {
            TestHost.TryDelete(directory);
        }
    }

    private sealed class LaterModule : Banyan.Platform.BanyanModule
    {
        public override string Name => "later";

        public override void ConfigureModel(ModelBuilder model) => model.Entity<LaterItem>().ToTable("later_items").HasKey(i => i.Id);
    }
}

internal sealed class LaterItem
{
    public int Id { get; set; }
}
