using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Spectre.Console;

namespace Banyan.Lending.Demo;

/// <summary>The lending part of <c>banyan demo</c>: products, the portfolio, a loan in arrears, and a new loan booked and repaid — all over HTTP.</summary>
internal static class LendingWalkthrough
{
    public static async Task RunAsync(DemoContext demo, CancellationToken ct)
    {
        var console = demo.Console;
        console.Write(new Rule("[bold]Lending[/]").LeftJustified());
        var products = await GetAsync(demo, "/v1/lending/products", ct);
        var table = new Table().AddColumns("product", "amortization", "day count", "rate");
        foreach (var p in products.EnumerateArray())
            table.AddRow(Markup.Escape(p.GetProperty("code").GetString()!), p.GetProperty("amortization").GetString()!, p.GetProperty("day_count").GetString()!, $"{p.GetProperty("annual_rate").GetDecimal():P2}");
        console.Write(table);
        var f = await GetAsync(demo, "/v1/lending/portfolio", ct);
        console.MarkupLine($"Portfolio: [bold]{f.GetProperty("loan_count").GetInt32():N0}[/] active loans, gross {Yuan(f.GetProperty("gross_loans").GetInt64())}, " +
            $"NPL ratio {f.GetProperty("npl_ratio").GetDecimal():P2}, provision coverage {f.GetProperty("provision_coverage").GetDecimal():P0}, " +
            $"reserve ratio {f.GetProperty("loan_loss_reserve_ratio").GetDecimal():P2}, top-10 customers {f.GetProperty("top10_concentration").GetDecimal():P2}");
        var late = await GetAsync(demo, "/v1/lending/loans?category=substandard&limit=1", ct);
        if (late.GetArrayLength() > 0)
        {
            var loan = late[0];
            var number = loan.GetProperty("number").GetInt64();
            console.MarkupLine($"Loan {number} ({Markup.Escape(loan.GetProperty("customer_reference").GetString()!)}): {loan.GetProperty("days_past_due").GetInt32()} days past due, " +
                $"category {loan.GetProperty("category").GetString()} (ECL stage {loan.GetProperty("ecl_stage").GetInt32()}), provision {Yuan(loan.GetProperty("provision_held").GetInt64())}");
            var quote = await GetAsync(demo, $"/v1/lending/loans/{number}/settlement-quote", ct);
            console.MarkupLine($"  settling it today takes {Yuan(quote.GetProperty("total").GetInt64())} (principal {Yuan(quote.GetProperty("principal").GetInt64())}, interest {Yuan(quote.GetProperty("interest").GetInt64())}, penalty {Yuan(quote.GetProperty("penalty").GetInt64())})");
        }
        await NewLoanAsync(demo, ct);
    }

    private static async Task NewLoanAsync(DemoContext demo, CancellationToken ct)
    {
        var reference = "walkthrough-" + Guid.NewGuid().ToString("N")[..8];
        await PostAsync(demo, "/v1/lending/customers", new { reference }, ct);
        var (applicationId, principal) = await ApplyForCreditAsync(demo, 1_200_000, ct);
        if (applicationId is null) return;
        var loan = await PostAsync(demo, "/v1/lending/loans", new { application_id = applicationId, customer_reference = reference, product_code = "rider-equipment", principal, instalments = 12, start_date = Today(demo) }, ct);
        var number = loan.GetProperty("number").GetInt64();
        var schedule = await GetAsync(demo, $"/v1/lending/loans/{number}/schedule", ct);
        demo.Console.MarkupLine($"New loan {number} from the approved application: {Yuan(principal)} rider equipment loan over 12 months, 2 months' grace; first instalments " +
            string.Join(", ", schedule.EnumerateArray().Take(4).Select(r => $"{r.GetProperty("due_date").GetString()} {Yuan(r.GetProperty("total").GetInt64())}")));
        var first = schedule[0];
        var refused = await demo.Api.PostAsJsonAsync($"/v1/lending/loans/{number}/repayments", new { amount = 5_000_000, date = first.GetProperty("due_date").GetString() }, ct);
        demo.Console.MarkupLine($"  paying {Yuan(5_000_000)} at once is refused: {(int)refused.StatusCode} {Markup.Escape((await refused.Content.ReadFromJsonAsync<JsonElement>(BanyanJson.Options, ct)).GetProperty("detail").GetString() ?? "")}");
        var paid = await PostAsync(demo, $"/v1/lending/loans/{number}/repayments", new { amount = first.GetProperty("total").GetInt64(), date = first.GetProperty("due_date").GetString() }, ct);
        demo.Console.MarkupLine($"  first instalment paid: interest {Yuan(paid.GetProperty("interest").GetInt64())}, principal {Yuan(paid.GetProperty("principal").GetInt64())}");
    }

    /// <summary>
    /// A loan needs an approved credit decision (decision 0510): apply through the credit API first and
    /// book at most the approved limit. A host without the credit module books against a local reference.
    /// </summary>
    private static async Task<(string? Id, long Principal)> ApplyForCreditAsync(DemoContext demo, long wanted, CancellationToken ct)
    {
        if (demo.Services.GetService(typeof(Banyan.Credit.Contracts.ICreditDecisions)) is null)
        {
            demo.Console.MarkupLine("  (no credit module in this host: the loan is booked against a local application reference)");
            return ("local-" + Guid.NewGuid().ToString("N")[..12], wanted);
        }

        // An established applicant (credit-g row 3: 49 years old, no checking account, skilled history).
        var applicant = new Dictionary<string, object>
        {
            ["checking_status"] = "no checking", ["duration"] = 12, ["credit_history"] = "critical/other existing credit", ["purpose"] = "education",
            ["credit_amount"] = 2096, ["savings_status"] = "<100", ["employment"] = "4<=X<7", ["installment_commitment"] = 2,
            ["personal_status"] = "male single", ["other_parties"] = "none", ["residence_since"] = 3, ["property_magnitude"] = "real estate",
            ["age"] = 49, ["other_payment_plans"] = "none", ["housing"] = "own", ["existing_credits"] = 1, ["job"] = "unskilled resident",
            ["num_dependents"] = 2, ["own_telephone"] = "none", ["foreign_worker"] = "yes",
        };
        var decision = await PostAsync(demo, "/v1/credit/applications", new { applicant, language = "en", amount_requested = wanted }, ct);
        var id = decision.GetProperty("id").GetString()!;
        var verdict = decision.GetProperty("decision").GetString();
        var limit = decision.TryGetProperty("limit", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : 0;
        demo.Console.MarkupLine($"Credit application {id[..8]}…: {verdict}, limit {Yuan(limit)}");
        if (verdict != "approve")
        {
            demo.Console.MarkupLine("  not approved: lending books no loan for it");
            return (null, 0);
        }

        return (id, Math.Min(wanted, limit));
    }

    private static string Today(DemoContext demo) =>
        DateOnly.FromDateTime(((TimeProvider?)demo.Services.GetService(typeof(TimeProvider)) ?? TimeProvider.System).GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");

    private static string Yuan(long fen) => $"¥{fen / 100m:N2}";

    private static async Task<JsonElement> GetAsync(DemoContext demo, string path, CancellationToken ct)
    {
        using var response = await demo.Api.GetAsync(path, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(BanyanJson.Options, ct);
    }

    private static async Task<JsonElement> PostAsync(DemoContext demo, string path, object body, CancellationToken ct)
    {
        using var response = await demo.Api.PostAsJsonAsync(path, body, ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(BanyanJson.Options, ct);
    }
}
