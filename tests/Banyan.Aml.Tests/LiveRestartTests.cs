using Banyan.Aml.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Tests;

public sealed class LiveRestartTests
{
    [Fact]
    public async Task A_restarted_host_resumes_after_the_stored_sequence_without_duplicate_alerts_or_flows()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-restart-" + Guid.NewGuid().ToString("N"));
        var (till, account, customer) = (LiveSupport.NewId(), LiveSupport.NewId(), "CR000001");
        try
        {
            await using (var first = new Host(directory))
            {
                await first.Fixture.InitializeAsync();
                await LiveSupport.CreateAccountsAsync(first.Fixture.Services, till, account);
                await LiveSupport.RegisterAsync(first.Fixture.Api, till, null, "external", channel: "cash");
                await LiveSupport.RegisterAsync(first.Fixture.Api, account, customer, "individual");
                await LiveSupport.TransferAsync(first.Fixture.Services, [(till, account, 4_500_000), (till, account, 4_700_000), (till, account, 4_900_000)]);
                Assert.Single(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(first.Fixture.Api, customer), "STRUCTURING"));
            }

            await using var second = new Host(directory);
            await second.Fixture.InitializeAsync();
            await LiveSupport.CaughtUpAsync(second.Fixture.Services); // replays the whole journal (warm-up) before anything new
            await LiveSupport.TransferAsync(second.Fixture.Services, [(till, account, 4_600_000)]);

            var alert = Assert.Single(LiveSupport.Alerts(await LiveSupport.CaseOfAsync(second.Fixture.Api, customer), "STRUCTURING"));
            Assert.Equal(4, alert.GetProperty("transaction_ids").GetArrayLength()); // the episode continued across the restart
            await using var scope = second.Fixture.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            var flow = await db.Set<FlowRow>().SingleAsync(f => f.ToParty == "customer:" + customer);
            Assert.Equal(4, flow.Count); // the three first transfers were not counted again
            Assert.Equal(18_700_000, flow.AmountMinor);
            Assert.Equal(await LiveStore.LoadSequenceAsync(db, default), (long)second.Fixture.Services.GetRequiredService<Banyan.Ledger.LedgerEngine>().JournalHead.Sequence);
            Assert.Equal(1, await db.Set<Banyan.Aml.Cases.AlertRow>().CountAsync(a => a.CustomerId == customer));
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private sealed class Host(string directory) : IAsyncDisposable
    {
        public AmlHostFixture Fixture { get; } = new() { DataDirectory = directory, KeepData = true };

        public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
    }
}
