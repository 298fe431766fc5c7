using Banyan.StaffConsole.Api;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Banyan.Console.Tests;

/// <summary>The shared dashboard feed (decision 0667): one sample per tick for every open dashboard, pushed.</summary>
public sealed class DashboardBroadcasterTests
{
    private sealed class CountingSampler(TimeProvider time)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<DashboardSnapshot> SampleAsync(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _calls);
            return Task.FromResult(new DashboardSnapshot(time.GetUtcNow(), null, 0, n, n * 10.0, 1.5, new Dictionary<string, int>(), null));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Bounded wait on a condition (the feed runs on the thread pool); no fixed sleeps.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    [Fact]
    public async Task Three_open_dashboards_cost_one_sample_per_tick_and_all_receive_it()
    {
        var time = new FakeTimeProvider();
        var sampler = new CountingSampler(time);
        await using var feed = new DashboardBroadcaster(sampler.SampleAsync, time, NullLogger.Instance);
        var received = new int[3];
        var subscriptions = Enumerable.Range(0, 3).Select(i => feed.Subscribe(state =>
        {
            Interlocked.Increment(ref received[i]);
            return Task.CompletedTask;
        })).ToList();

        for (var tick = 1; tick <= 4; tick++)
        {
            // One advance per tick, after the previous tick reached everyone (the timer keeps a tick that fires between waits).
            await WaitUntilAsync(() => received.All(r => Volatile.Read(ref r) == tick - 1) && sampler.Calls == tick - 1);
            time.Advance(DashboardBroadcaster.Interval);
            await WaitUntilAsync(() => received.All(r => Volatile.Read(ref r) == tick));
        }

        Assert.Equal(4, sampler.Calls);
        var latest = await feed.CurrentAsync(CancellationToken.None);
        Assert.Equal([10.0, 20.0, 30.0, 40.0], latest.Throughput);
        subscriptions.ForEach(s => s.Dispose());
        Assert.Equal(0, feed.SubscriberCount);
    }

    [Fact]
    public async Task With_no_dashboard_open_nothing_is_sampled_and_a_closed_one_gets_no_more_pushes()
    {
        var time = new FakeTimeProvider();
        var sampler = new CountingSampler(time);
        await using var feed = new DashboardBroadcaster(sampler.SampleAsync, time, NullLogger.Instance);
        time.Advance(DashboardBroadcaster.Interval * 5);
        Assert.Equal(0, sampler.Calls);

        var pushes = 0;
        var subscription = feed.Subscribe(_ =>
        {
            Interlocked.Increment(ref pushes);
            return Task.CompletedTask;
        });
        time.Advance(DashboardBroadcaster.Interval);
        await WaitUntilAsync(() => Volatile.Read(ref pushes) == 1);
        subscription.Dispose();
        Assert.Equal(0, feed.SubscriberCount);
        time.Advance(DashboardBroadcaster.Interval * 5);
        Assert.Equal(1, Volatile.Read(ref pushes));
    }

    [Fact]
    public async Task The_first_page_load_samples_once_and_later_loads_reuse_the_latest_state()
    {
        var time = new FakeTimeProvider();
        var sampler = new CountingSampler(time);
        await using var feed = new DashboardBroadcaster(sampler.SampleAsync, time, NullLogger.Instance);
        var first = await feed.CurrentAsync(CancellationToken.None);
        var second = await feed.CurrentAsync(CancellationToken.None);
        Assert.Same(first, second);
        Assert.Equal(1, sampler.Calls);
    }
}
