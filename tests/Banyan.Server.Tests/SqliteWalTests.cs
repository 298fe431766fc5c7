using System.Diagnostics;
using Banyan.Server.Storage;
using Banyan.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Server.Tests;

/// <summary>Decision 0006: no request's commit copies the SQLite write-ahead log into the database file; a background loop does.</summary>
public sealed class SqliteWalTests
{
    [Fact]
    public async Task Connections_the_host_opens_never_checkpoint_inline()
    {
        await using var host = await TestHost.StartAsync();
        await using var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();

        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint;";

        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Committed_pages_reach_the_database_file_in_the_background_well_before_the_inline_threshold()
    {
        await using var host = await TestHost.StartAsync();
        var file = new FileInfo(Path.Combine(host.DataDirectory, "banyan.db"));
        await WaitUntilAsync(() => Length(file) > 0);
        var before = Length(file);

        // About 100 pages of notes: a tenth of the 1,000 pages at which SQLite would checkpoint inline. Only the
        // background loop moves them from the log into the database file.
        await using (var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync())
        {
            for (var i = 0; i < 100; i++) db.Set<TestNote>().Add(new TestNote { Id = 10_000 + i, Text = new string('n', 4_000) });
            await db.SaveChangesAsync();
        }

        await WaitUntilAsync(() => Length(file) >= before + (100 * 4_000));
        Assert.True(Length(file) >= before + (100 * 4_000));
    }

    private static long Length(FileInfo file)
    {
        file.Refresh();
        return file.Exists ? file.Length : 0;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(25);
    }
}
