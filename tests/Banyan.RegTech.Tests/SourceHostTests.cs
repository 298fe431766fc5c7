using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Banyan.Lending.Contracts;
using Banyan.RegTech.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.RegTech.Tests;

/// <summary>Sources over the real host: STR counts from a real AML case, dated loan-book figures.</summary>
public sealed partial class RegTechHostTests
{
    private static JsonElement FigureOf(JsonElement figures, string id) =>
        figures.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("indicator_id").GetString() == id);

    [Fact]
    public async Task A_real_aml_case_closed_with_an_str_is_counted_in_the_suspicious_reports_indicator_and_drills_down_to_the_case()
    {
        var (_, before) = await GetAsync(host.Api, "v1/regtech/figures?profile=cn");
        var str = FigureOf(before, "cn.suspicious_reports");
        Assert.NotEqual("undefined", str.GetProperty("status").GetString());
        var countBefore = long.Parse(str.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);

        using var aml = await host.ClientAsync("aml");
        var customer = "regtech-str-" + Guid.NewGuid().ToString("N");
        var line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["alert_id"] = "ALR-RT-1", ["typology"] = "STRUCTURING", ["customer_id"] = customer, ["subject_account"] = "acct-" + customer,
            ["reason"] = "three cash deposits just under the threshold", ["score"] = 0.9, ["transaction_ids"] = new[] { "t-" + customer },
        });
        using var content = new StringContent(line + "\n", Encoding.UTF8, "application/x-ndjson");
        using (var import = await aml.PostAsync(new Uri("v1/aml/alerts/import", UriKind.Relative), content))
            Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());
        var (_, cases) = await GetAsync(aml, "v1/aml/cases?status=open&limit=200");
        var id = cases.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("party").GetString() == "customer:" + customer).GetProperty("id").GetInt64();
        using (var close = await aml.PostAsJsonAsync($"v1/aml/cases/{id}/close", new { disposition = "suspicious_reported", reason = "STR filed" }))
            Assert.True(close.IsSuccessStatusCode, await close.Content.ReadAsStringAsync());

        var (_, after) = await GetAsync(host.Api, "v1/regtech/figures?profile=cn");
        Assert.Equal(countBefore + 1, long.Parse(FigureOf(after, "cn.suspicious_reports").GetProperty("value").GetString()!, CultureInfo.InvariantCulture));
        var (_, drill) = await GetAsync(host.Api, "v1/regtech/figures/cn.suspicious_reports/drilldown");
        var notes = drill.GetProperty("quantities").EnumerateArray().SelectMany(q => q.GetProperty("contributions").EnumerateArray()).Select(c => c.GetProperty("note").GetString()).ToList();
        Assert.Contains($"AML case {id} closed as suspicious_reported", notes);
    }

    [Fact]
    public async Task Past_dates_take_the_books_close_history_before_a_regtech_snapshot_and_today_takes_the_live_book()
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var closedFrom = new DateOnly(2020, 3, 31);
        var book = new TwoStateBook(Figures(5), Figures(9), closedFrom);
        var portfolio = new StoredPortfolio(db, book, TimeProvider.System);
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

        var live = await portfolio.FiguresAsync(today, CancellationToken.None);
        Assert.Equal(9, live!.Figures.LoanCount);
        var closed = await portfolio.FiguresAsync(new DateOnly(2020, 4, 15), CancellationToken.None);
        Assert.Equal(5, closed!.Figures.LoanCount);
        Assert.Contains("daily close", closed.Origin, StringComparison.Ordinal);
        Assert.Null(await portfolio.FiguresAsync(new DateOnly(2020, 3, 30), CancellationToken.None));
    }

    private static PortfolioFigures Figures(int loans) => new(loans, loans * 1_000, [loans * 1_000, 0, 0, 0, 0], 0, 0, 0m, 0m, 0m, 0, 0m, 0, 0m);

    /// <summary>A book closed (with <paramref name="closed"/> figures) from a date on; live figures differ.</summary>
    private sealed class TwoStateBook(PortfolioFigures closed, PortfolioFigures live, DateOnly closedFrom) : ILoanPortfolio
    {
        public PortfolioFigures Figures() => live;

        public PortfolioFigures? FiguresAsOf(DateOnly date) => date >= closedFrom ? closed : null;
    }
}

/// <summary>The stored history the console's trend charts draw.</summary>
public sealed partial class RegTechHostTests
{
    [Fact]
    public async Task Indicator_history_lists_the_stored_month_ends_oldest_first_with_the_threshold_and_the_breach()
    {
        var asOf = LastMonthEnd(host.Services);
        var (status, lcr) = await GetAsync(host.Api, $"v1/regtech/indicators/cn.lcr/history?to={asOf}&points=12");
        Assert.Equal(200, status);
        var points = lcr.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(12, points.Count);
        var dates = points.Select(p => p.GetProperty("as_of").GetString()!).ToList();
        Assert.Equal(dates.Order(StringComparer.Ordinal), dates);
        Assert.Equal(asOf, dates[^1]);
        Assert.Equal("breach", points[^1].GetProperty("status").GetString());
        Assert.Equal("ok", points[0].GetProperty("status").GetString());
        Assert.Equal(1m, decimal.Parse(lcr.GetProperty("required").GetString()!, CultureInfo.InvariantCulture));

        var (_, three) = await GetAsync(host.Api, $"v1/regtech/indicators/cn.lcr/history?to={asOf}&points=3");
        Assert.Equal(dates.TakeLast(3), three.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("as_of").GetString()!));
        var (_, all) = await GetAsync(host.Api, $"v1/regtech/history?profile=basel&to={asOf}");
        Assert.True(all.GetProperty("indicators").GetArrayLength() >= 40);
    }

    [Theory]
    [InlineData("v1/regtech/indicators/cn.lcr/history?points=0", "points")]
    [InlineData("v1/regtech/indicators/cn.lcr/history?points=61", "points")]
    [InlineData("v1/regtech/history?profile=cn&to=2026-02-30", "to")]
    [InlineData("v1/regtech/history?profile=xx", "profile")]
    public async Task Bad_history_parameters_are_validation_problems(string path, string field)
    {
        var (status, body) = await GetAsync(host.Api, path);
        Assert.Equal(400, status);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _));
    }
}
