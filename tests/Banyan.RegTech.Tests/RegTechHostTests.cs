using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Server;
using Banyan.RegTech.Schedule;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Banyan.RegTech.Tests;

/// <summary>One real host (Kestrel on 127.0.0.1, SQLite in a temp directory) with the demo bank seeded by RegTech itself.</summary>
public sealed class RegTechHostFixture : IAsyncLifetime
{
    public const string ClientId = "regtech-http-tests";
    public const string ClientSecret = "regtech-http-tests-secret-0123456789";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "banyan-regtech-http-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public IServiceProvider Services => _app!.Services;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_ID", ClientId);
        Environment.SetEnvironmentVariable("BANYAN_BOOTSTRAP_CLIENT_SECRET", ClientSecret);
        Directory.CreateDirectory(_data);
        _app = BanyanServer.Build(["--urls", "http://127.0.0.1:0", "--data", _data]);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        await Demo.DemoBank.SeedAsync(_app.Services, CancellationToken.None);
        Api = await ClientAsync("regtech");
    }

    public async Task<HttpClient> ClientAsync(string scope)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        using var form = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", ClientId), new("client_secret", ClientSecret), new("scope", scope)]);
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
        return http;
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}

public sealed partial class RegTechHostTests(RegTechHostFixture host) : IClassFixture<RegTechHostFixture>
{
    private static string LastMonthEnd(IServiceProvider services)
    {
        var today = DateOnly.FromDateTime((services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow().UtcDateTime);
        return new DateOnly(today.Year, today.Month, 1).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static async Task<(int Status, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Catalogue_endpoint_lists_at_least_100_indicators_and_needs_the_regtech_scope()
    {
        var (status, body) = await GetAsync(host.Api, "v1/regtech/indicators");
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("count").GetInt32() >= 100);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(401, (await GetAsync(anonymous, "v1/regtech/indicators")).Status);
        using var ledgerOnly = await host.ClientAsync("ledger");
        Assert.Equal(403, (await GetAsync(ledgerOnly, "v1/regtech/indicators")).Status);
    }

    [Theory]
    [InlineData("v1/regtech/figures?profile=eu", "profile")]
    [InlineData("v1/regtech/figures?profile=cn&as_of=2026-13-01", "as_of")]
    [InlineData("v1/regtech/figures?profile=cn&as_of=2999-01-31", "as_of")]
    [InlineData("v1/regtech/figures/cn.lcr/drilldown?as_of=yesterday", "as_of")]
    public async Task Bad_query_parameters_are_validation_problems(string path, string field)
    {
        var (status, body) = await GetAsync(host.Api, path);
        Assert.Equal(400, status);
        Assert.Equal("https://banyan.dev/problems/validation", body.GetProperty("type").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Demo_bank_breaches_the_lcr_in_the_last_month_and_warns_about_it()
    {
        var asOf = LastMonthEnd(host.Services);
        var (status, figures) = await GetAsync(host.Api, $"v1/regtech/figures?profile=cn&as_of={asOf}");
        Assert.Equal(200, status);
        var lcr = figures.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("indicator_id").GetString() == "cn.lcr");
        Assert.Equal("breach", lcr.GetProperty("status").GetString());
        var (_, warnings) = await GetAsync(host.Api, $"v1/regtech/warnings?profile=cn&as_of={asOf}");
        Assert.Contains(warnings.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("indicator_id").GetString() == "cn.lcr" && a.GetProperty("kind").GetString() == "threshold");
        var earlier = new DateOnly(int.Parse(asOf[..4], CultureInfo.InvariantCulture), int.Parse(asOf[5..7], CultureInfo.InvariantCulture), 1).AddMonths(-6).AddDays(-1);
        var (_, before) = await GetAsync(host.Api, $"v1/regtech/figures?profile=cn&as_of={earlier:yyyy-MM-dd}");
        Assert.Equal("ok", before.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("indicator_id").GetString() == "cn.lcr").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Drilldown_over_http_lists_accounts_whose_amounts_sum_to_each_quantity()
    {
        var (status, drill) = await GetAsync(host.Api, $"v1/regtech/figures/basel.cet1_ratio/drilldown?as_of={LastMonthEnd(host.Services)}");
        Assert.Equal(200, status);
        var leaves = drill.GetProperty("quantities").EnumerateArray().Where(q => q.GetProperty("measure").GetString() == "amount").ToList();
        Assert.NotEmpty(leaves);
        foreach (var q in leaves)
            Assert.Equal(decimal.Parse(q.GetProperty("value").GetString()!, CultureInfo.InvariantCulture),
                q.GetProperty("contributions").EnumerateArray().Sum(c => decimal.Parse(c.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture)));
        Assert.Contains(leaves, q => q.GetProperty("contributions").EnumerateArray().Any(c => c.GetProperty("account_id").ValueKind == JsonValueKind.String));
    }

    [Fact]
    public async Task Reports_are_versioned_and_logged_per_regulator()
    {
        var asOf = LastMonthEnd(host.Services);
        async Task<JsonElement> Post()
        {
            using var response = await host.Api.PostAsJsonAsync("v1/regtech/reports", new { profile = "cn", as_of = asOf });
            Assert.Equal(201, (int)response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }
        var first = await Post();
        var second = await Post();
        Assert.Equal(first.GetProperty("version").GetInt32() + 1, second.GetProperty("version").GetInt32());
        Assert.Equal(first.GetProperty("data_hash").GetString(), second.GetProperty("data_hash").GetString());
        var names = first.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Contains("figures.csv", names);
        Assert.Contains("figures.json", names);
        Assert.Contains("package/metadata.json", names);
        Assert.Contains("summary.html", names);
        var (_, log) = await GetAsync(host.Api, "v1/regtech/submissions?regulator=PBoC");
        Assert.Contains(log.GetProperty("submissions").EnumerateArray(), s => s.GetProperty("report_id").GetString() == second.GetProperty("report_id").GetString());
    }

    [Fact]
    public async Task Scheduler_generates_the_monthly_return_when_the_fake_clock_passes_month_end()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 30, 23, 0, 0, TimeSpan.Zero));
        var options = new RegTechOptions { Schedules = [new ScheduleEntry { Profile = "basel", Frequency = "monthly" }] };
        using var scheduler = new RegTechScheduler(host.Services, options, clock, NullLogger<RegTechScheduler>.Instance);
        var ran = scheduler.NextRunAsync();
        await scheduler.StartAsync(CancellationToken.None);
        // BackgroundService runs ExecuteAsync on the thread pool: advance only once the timer is armed.
        await scheduler.Armed.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.False(ran.IsCompleted);
        clock.Advance(TimeSpan.FromHours(1));
        await ran.WaitAsync(TimeSpan.FromMinutes(2));
        await scheduler.StopAsync(CancellationToken.None);
        var (_, log) = await GetAsync(host.Api, "v1/regtech/submissions?regulator=BCBS");
        Assert.Contains(log.GetProperty("submissions").EnumerateArray(), s => s.GetProperty("as_of").GetString() == "2026-06-30" && s.GetProperty("trigger").GetString() == "schedule");
    }
}
