using Banyan.Platform.Storage;
using Banyan.Server.Storage;
using Banyan.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
        var checkpoints = host.App.Services.GetServices<IHostedService>().OfType<SqliteCheckpointService>().Single();
        var file = new FileInfo(Path.Combine(host.DataDirectory, "banyan.db"));
        await checkpoints.NextRoundAsync().WaitAsync(TimeSpan.FromSeconds(30)); // whatever start-up wrote is in the file
        var before = Length(file);

        // About 100 pages of notes: a tenth of the 1,000 pages at which SQLite would checkpoint inline. Only the
        // background loop moves them from the log into the database file.
        await using (var db = await host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync())
        {
            for (var i = 0; i < 100; i++) db.Set<TestNote>().Add(new TestNote { Id = 10_000 + i, Text = new string('n', 4_000) });
            await db.SaveChangesAsync();
        }

        // A round that began before the commit may miss it; the one after it cannot.
        await checkpoints.NextRoundAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await checkpoints.NextRoundAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(Length(file) >= before + (100 * 4_000), $"the database file grew by {Length(file) - before} bytes, not by the notes' pages");
    }

    private static long Length(FileInfo file)
    {
        file.Refresh();
        return file.Exists ? file.Length : 0;
    }
}
