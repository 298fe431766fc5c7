using Banyan.Aml.Cases;
using Banyan.Aml.Cli;
using Banyan.Testing;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Aml.Tests;

/// <summary>"One open case per party" held by the database (unique partial index), not only by the in-process import lock.</summary>
public sealed class OpenCaseGuardTests
{
    private static ImportedAlert Alert(string party, int n) =>
        new($"ALR-{n:D8}", "STRUCTURING", "A" + n, party, [$"T{n}"], 0.8, $"alert {n}");

    [Fact]
    public async Task The_database_refuses_a_second_open_case_for_a_party_but_allows_one_after_a_closed_case()
    {
        var file = Path.Combine(Path.GetTempPath(), "banyan-aml-guard-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            await using var db = Sqlite(file);
            await db.Database.EnsureCreatedAsync();
            db.Add(new CaseRow { Party = "customer:C1", Status = CaseStatus.Closed });
            db.Add(new CaseRow { Party = "customer:C1", Status = CaseStatus.Open });
            await db.SaveChangesAsync(); // a closed case and an open one: allowed

            db.Add(new CaseRow { Party = "customer:C1", Status = CaseStatus.Escalated });
            var e = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.True(OpenCaseGuard.IsOpenCaseRace(e), e.InnerException?.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Concurrent_imports_for_one_new_customer_on_postgres_open_one_case_and_attach_every_alert()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync("banyan_aml_guard");
        var options = new DbContextOptionsBuilder<RealtimeBenchDb>().UseNpgsql(database.ConnectionString).Options;
        await using (var setup = new RealtimeBenchDb(options)) await setup.Database.EnsureCreatedAsync();
        const int Writers = 8;
        using var start = new ManualResetEventSlim();

        var imports = Enumerable.Range(1, Writers).Select(n => Task.Run(async () =>
        {
            start.Wait();
            await using var db = new RealtimeBenchDb(options);
            return await CaseCommands.StoreAsync(db, "test", 1_000, [Alert("CG1", n)], CancellationToken.None);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(imports);

        await using var check = new RealtimeBenchDb(options);
        var cases = await check.Set<CaseRow>().Where(c => c.Party == "customer:CG1").ToListAsync();
        var only = Assert.Single(cases);
        Assert.Equal(Writers, await check.Set<AlertRow>().CountAsync(a => a.CaseId == only.Id));
        Assert.Equal(1, results.Sum(r => r.CasesOpened));
        Assert.All(results, r => Assert.Equal([only.Id], r.CaseIds));
    }

    private static RealtimeBenchDb Sqlite(string file) =>
        new(new DbContextOptionsBuilder<RealtimeBenchDb>().UseSqlite($"Data Source={file}").Options);
}
