using Banyan.StaffConsole.Demo;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Banyan.Console.Tests;

/// <summary>
/// The console in a real browser (headless Debian chromium) against a real host with demo data: sign in
/// with password + TOTP, open every page with an accessibility audit, close an AML case, read a credit
/// explanation, switch to Chinese. Screenshots go to TestResults/screenshots/.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleEndToEndTests(ConsoleHostFixture fixture)
{
    private static readonly string[] Pages = ["/console", "/console/ledger", "/console/aml", "/console/credit", "/console/loans", "/console/audit", "/console/regtech", "/console/payments", "/console/gateway", "/console/models", "/console/partners", "/console/staff"];

    [SkippableFact]
    public async Task Staff_sign_in_with_totp_work_every_page_close_a_case_read_a_credit_explanation_and_switch_language()
    {
        var chromium = Chromium.Path();
        var host = await fixture.HostAsync();
        // Waits are on conditions; the generous ceiling is for a loaded CI machine (scoring, first circuit).
        Assertions.SetDefaultExpectTimeout(60_000);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Address.ToString(), ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();

        await SignInAsync(page);
        await Assertions.Expect(page.Locator("#kpi-head")).ToBeVisibleAsync();
        foreach (var path in Pages)
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            await WaitInteractiveAsync(page);
            await AuditAccessibilityAsync(page, path);
            await ScreenshotAsync(page, Name(path));
        }

        await CloseCaseAsync(page, host.CaseIds[0]);
        await SeeTheNetworkGraphAsync(page, host.NetworkCaseId);
        await LookUpACrossBorderPaymentAsync(page, host.PaymentUetr);
        await DrillDownAnIndicatorAsync(page);
        await ReadCreditExplanationAsync(page);
        await ApproveModelVersionAsync(page, host.DraftModelVersion);
        await CreateAndDisableAStaffUserWithStepUpAsync(page);

        await page.GotoAsync("/console");
        await WaitInteractiveAsync(page);
        await page.Locator("#lang-zh").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("仪表板");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await AuditAccessibilityAsync(page, "/console (zh-CN)");
        await ScreenshotAsync(page, "dashboard-zh-CN");

        await page.Locator("#logout").ClickAsync();
        await page.WaitForURLAsync("**/console/login");
        await page.GotoAsync("/console");
        Assert.Contains("/console/login", page.Url, StringComparison.Ordinal);
        AssertAccessible();
    }

    [SkippableFact]
    public async Task A_wrong_totp_code_does_not_sign_in()
    {
        var chromium = Chromium.Path();
        var host = await fixture.HostAsync();
        // Waits are on conditions; the generous ceiling is for a loaded CI machine (scoring, first circuit).
        Assertions.SetDefaultExpectTimeout(60_000);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Address.ToString() })).NewPageAsync();
        await page.GotoAsync("/console/login");
        await page.FillAsync("#username", DemoStaff.UserName);
        await page.FillAsync("#password", DemoStaff.Password);
        await page.ClickAsync("#login-submit");
        var right = DemoStaff.CurrentCode(DateTimeOffset.UtcNow);
        await page.FillAsync("#code", right == "000000" ? "111111" : "000000");
        await page.ClickAsync("#totp-submit");
        await Assertions.Expect(page.Locator("[role=alert]")).ToBeVisibleAsync();
        await page.GotoAsync("/console");
        Assert.Contains("/console/login", page.Url, StringComparison.Ordinal);
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/console/login");
        await AuditAccessibilityAsync(page, "/console/login");
        await ScreenshotAsync(page, "login");
        await page.FillAsync("#username", DemoStaff.UserName);
        await page.FillAsync("#password", DemoStaff.Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/console/login/totp**");
        await page.FillAsync("#code", DemoStaff.CurrentCode(DateTimeOffset.UtcNow));
        await page.ClickAsync("#totp-submit");
        await page.WaitForURLAsync(url => url.EndsWith("/console", StringComparison.Ordinal));
    }

    private static async Task CloseCaseAsync(IPage page, long caseId)
    {
        await page.GotoAsync($"/console/aml/{caseId}");
        await WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#case-status-value")).ToHaveTextAsync("open");
        await page.Locator("#close-reason").FillAsync("Reviewed in the e2e test: explained by payroll");
        await page.Locator("#close-reason").BlurAsync();
        await page.Locator("#close-case").ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.Locator("#case-status-value")).ToHaveTextAsync("closed");
        await Assertions.Expect(page.Locator("#case-history")).ToContainTextAsync("console:" + DemoStaff.UserName);
        await ScreenshotAsync(page, "aml-case-closed");
    }

    private async Task ReadCreditExplanationAsync(IPage page)
    {
        await page.GotoAsync("/console/credit");
        await WaitInteractiveAsync(page);
        await page.Locator("#score-sample").ClickAsync();
        await Assertions.Expect(page.Locator("#shap-waterfall")).ToBeVisibleAsync();
        Assert.True(await page.Locator("#reasons li, #reasons .mud-list-item").CountAsync() > 0, "the decision shows its reasons");
        await AuditAccessibilityAsync(page, "/console/credit (decision)");
        await ScreenshotAsync(page, "credit-decision");
    }

    private async Task SeeTheNetworkGraphAsync(IPage page, long caseId)
    {
        await page.GotoAsync($"/console/aml/{caseId}");
        await WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#network-graph svg[role=img]")).ToBeVisibleAsync();
        // Centre plus the cash desk and five senders: six counterparties, six incoming flows in the table.
        await Assertions.Expect(page.Locator("#network-graph circle")).ToHaveCountAsync(7);
        await Assertions.Expect(page.Locator("#network-table tbody tr")).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator("#network-table")).ToContainTextAsync("Branch 7 cash desk");
        await AuditAccessibilityAsync(page, $"/console/aml/{caseId} (network)");
        await ScreenshotAsync(page, "aml-network");
    }

    private async Task LookUpACrossBorderPaymentAsync(IPage page, Guid uetr)
    {
        await page.GotoAsync("/console/payments");
        await WaitInteractiveAsync(page);
        await page.Locator("#payments-uetr").FillAsync(uetr.ToString("D"));
        await page.Locator("#payments-uetr").BlurAsync();
        await page.Locator("#payments-lookup").ClickAsync();
        await Assertions.Expect(page.Locator("#payments-found")).ToContainTextAsync(uetr.ToString("D"));
        // Accepted at the quote's locked rate and released with a pacs.008: the timeline shows every step so far.
        var steps = await page.Locator("#payments-timeline tbody tr td:nth-child(2)").AllTextContentsAsync();
        Assert.Equal(["initiated", "screening", "fx_locked", "sent"], steps.Select(s => s.Trim()));
        await Assertions.Expect(page.Locator("#payments-status")).ToHaveTextAsync("sent");
        await Assertions.Expect(page.Locator("#payments-report")).ToBeVisibleAsync();
        await AuditAccessibilityAsync(page, "/console/payments (payment)");
        await ScreenshotAsync(page, "payment-timeline");
    }

    // The NPL ratio: loans_npl_total (= ledger-classified NPLs + the lending book's) over gross loans. The figures
    // on the page add up: each leaf's lines sum to the leaf, the leaves to the total, and the ratio to the indicator.
    private async Task DrillDownAnIndicatorAsync(IPage page)
    {
        await page.GotoAsync("/console/regtech");
        await WaitInteractiveAsync(page);
        await page.Locator("[id='regtech-drill-cn.npl_ratio']").ClickAsync();
        await Assertions.Expect(page.Locator("#regtech-drilldown")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#regtech-contributors tr.regtech-quantity[data-ref='loans_gross']")).ToBeVisibleAsync();
        var quantities = await Values(page, "#regtech-contributors tr.regtech-quantity", "value");
        var lines = await page.Locator("#regtech-contributors tr.regtech-line").EvaluateAllAsync<string[][]>("rows => rows.map(r => [r.dataset.ref, r.dataset.amount])");
        foreach (var leaf in new[] { "loans_gross", "loans_npl_ledger", "lending_npl" })
        {
            var sum = lines.Where(l => l[0] == leaf).Sum(l => decimal.Parse(l[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(quantities[leaf], sum);
        }

        Assert.True(lines.Any(l => l[0] == "loans_gross"), "gross loans are drilled down to the accounts/loans behind them");
        Assert.Equal(quantities["loans_npl_total"], quantities["loans_npl_ledger"] + quantities["lending_npl"]);
        var shown = decimal.Parse((await page.Locator("#regtech-drill-value").GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(quantities["loans_gross"] > 0, "the demo has a loan book");
        Assert.True(Math.Abs(shown - quantities["loans_npl_total"] / quantities["loans_gross"]) < 0.00005m, $"{shown} vs {quantities["loans_npl_total"]} / {quantities["loans_gross"]}");
        await AuditAccessibilityAsync(page, "/console/regtech (drill-down)");
        await ScreenshotAsync(page, "regtech-drilldown");
    }

    private static async Task<Dictionary<string, decimal>> Values(IPage page, string rows, string attribute)
    {
        var pairs = await page.Locator(rows).EvaluateAllAsync<string?[][]>($"rows => rows.map(r => [r.dataset.ref, r.dataset.{attribute} ?? null])");
        return pairs.Where(p => p[1] is not null).ToDictionary(p => p[0]!, p => decimal.Parse(p[1]!, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task CreateAndDisableAStaffUserWithStepUpAsync(IPage page)
    {
        const string user = "e2e.officer";
        var row = page.Locator($"[id='staff-row-{user}']");
        await page.GotoAsync("/console/staff");
        await WaitInteractiveAsync(page);
        await page.Locator("#new-user-name").FillAsync(user);
        await page.Locator("#new-display-name").FillAsync("E2E Risk Officer");
        await page.GetByLabel("risk_officer").CheckAsync();
        await page.Locator("#create-staff").ClickAsync();
        await Assertions.Expect(page.Locator("#new-totp-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-7]{32}$"));
        await Assertions.Expect(row).ToContainTextAsync("risk_officer");
        await Assertions.Expect(row.Locator(".staff-status")).ToHaveTextAsync("active");
        await AuditAccessibilityAsync(page, "/console/staff (created)");
        await ScreenshotAsync(page, "staff-created");

        // The probe engine rates staff_disable medium risk: the console asks for a fresh TOTP code first.
        var disable = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Disable " + user });
        await disable.ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.Locator("#step-up-code")).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator(".staff-status")).ToHaveTextAsync("active");
        // The sign-in used this step's code, and codes are never accepted twice: take the next step's (±1 step is accepted).
        await page.Locator("#step-up-code").FillAsync(DemoStaff.CurrentCode(DateTimeOffset.UtcNow.AddSeconds(30)));
        await page.Locator("#step-up-code").BlurAsync();
        await disable.ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(row.Locator(".staff-status")).ToHaveTextAsync("disabled");
    }

    private async Task ApproveModelVersionAsync(IPage page, string version)
    {
        await page.GotoAsync("/console/models");
        await WaitInteractiveAsync(page);
        // The page opens the newest draft: the version registered by the host.
        await Assertions.Expect(page.Locator("#model-detail h2").First).ToContainTextAsync(version);
        await Assertions.Expect(page.Locator("#model-detail-status")).ToHaveTextAsync("draft");
        await Assertions.Expect(page.Locator("#fairness-after")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#fairness-report svg[role=img]")).ToBeVisibleAsync();
        await page.Locator("#approve-model").ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.Locator("#model-detail-status")).ToHaveTextAsync("approved");
        await Assertions.Expect(page.Locator($"#model-row-{version}")).ToContainTextAsync("console:" + DemoStaff.UserName);
        await AuditAccessibilityAsync(page, "/console/models (approved)");
        await ScreenshotAsync(page, "model-approved");
    }

    // Blazor Server is interactive once its circuit is up; the page title element is rendered by then.
    private static async Task WaitInteractiveAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('#circuit-ready[data-ready=yes]') !== null && document.title.length > 0");

    // Collected over the whole walk and asserted at the end, so one run names every page's problems.
    private readonly List<string> _violations = [];

    private async Task AuditAccessibilityAsync(IPage page, string what)
    {
        // When the circuit takes over, HeadOutlet swaps the prerendered <title> for its own; audit a settled head.
        await page.WaitForFunctionAsync("() => document.title.length > 0");
        var result = await page.RunAxe();
        if (result.Violations.Any(v => v.Id == "document-title"))
        {
            await page.WaitForFunctionAsync("() => document.title.length > 0");
            result = await page.RunAxe();
        }

        _violations.AddRange(result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{what}: {v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}"));
    }

    private void AssertAccessible() =>
        Assert.True(_violations.Count == 0, "serious/critical accessibility violations:\n" + string.Join('\n', _violations));

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    private static string Name(string path) => path == "/console" ? "dashboard" : path["/console/".Length..];

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Banyan.sln"))) directory = directory.Parent;
        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
