using Banyan.RegTech.Catalogue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.RegTech.Schedule;

/// <summary>
/// Generates the configured returns (<c>Banyan:RegTech:Schedules</c>) when their period ends: daily at
/// 00:00 UTC for the day before, monthly on the 1st for the previous month-end, quarterly after March,
/// June, September and December. Driven by <see cref="TimeProvider"/> (a fake clock in tests). Each run
/// closes the date (cut-off + loan-book snapshot), stores the figures and logs the submission.
/// </summary>
internal sealed class RegTechScheduler(IServiceProvider services, RegTechOptions options, TimeProvider time, ILogger<RegTechScheduler> log) : BackgroundService
{
    private readonly Lock _gate = new();
    private int _runs;
    private TaskCompletionSource _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the scheduler waits on its clock for the first time (tests advance a fake clock after it).</summary>
    public Task Armed => _armed.Task;

    public int Runs
    {
        get
        {
            lock (_gate) return _runs;
        }
    }

    /// <summary>Completes after the next run finishes (tests wait on it instead of sleeping).</summary>
    public Task NextRunAsync()
    {
        lock (_gate) return _ran.Task;
    }

    /// <summary>The reporting date that closes at <paramref name="instant"/> for a frequency, if any.</summary>
    public static DateOnly? DueAt(string frequency, DateTimeOffset instant)
    {
        var day = DateOnly.FromDateTime(instant.UtcDateTime);
        var previous = day.AddDays(-1);
        return frequency switch
        {
            "daily" => previous,
            "monthly" when day.Day == 1 => previous,
            "quarterly" when day.Day == 1 && day.Month % 3 == 1 => previous,
            _ => null,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Schedules.Count == 0) return;
        foreach (var s in options.Schedules)
            if (!IndicatorCatalogue.Profiles.Contains(s.Profile) || s.Frequency is not ("daily" or "monthly" or "quarterly"))
                throw new InvalidOperationException($"Banyan:RegTech:Schedules: unknown profile '{s.Profile}' or frequency '{s.Frequency}'");
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var nextMidnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            try
            {
                var delay = Task.Delay(nextMidnight - now, time, stoppingToken);
                _armed.TrySetResult();
                await delay;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await RunDueAsync(nextMidnight, stoppingToken);
        }
    }

    private async Task RunDueAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        foreach (var s in options.Schedules)
        {
            if (DueAt(s.Frequency, instant) is not { } asOf) continue;
            try
            {
                using var scope = services.CreateScope();
                var service = scope.ServiceProvider.GetRequiredService<RegTechService>();
                await service.CloseDateAsync(asOf, cancellationToken);
                var report = await service.ReportAsync(s.Profile, asOf, "schedule", scope.ServiceProvider.GetRequiredService<Api.RegTechDirectory>().Path, cancellationToken);
                if (log.IsEnabled(LogLevel.Information)) log.LogInformation("RegTech scheduled return {ReportId} generated ({Hash})", report.ReportId, report.DataHash);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "RegTech scheduled return {Profile} as of {AsOf} failed", s.Profile, asOf);
            }
        }
        TaskCompletionSource done;
        lock (_gate)
        {
            _runs++;
            done = _ran;
            _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }
}
