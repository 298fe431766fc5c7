using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Credit.Data;
using Banyan.Credit.Fairness;
using Banyan.Credit.Model;
using Banyan.Platform;
using Spectre.Console;

namespace Banyan.Credit.Registry;

/// <summary>Demo data (a real credit-g model, approved) and the walk-through over the decision API.</summary>
internal static class CreditDemo
{
    public const string DemoApprover = "demo risk committee";

    /// <summary>Trains and approves a credit-g model unless the registry already holds a version (idempotent).</summary>
    public static void Seed(ModelRegistry registry)
    {
        if (registry.List().Count > 0) return;
        using var stream = typeof(CreditDemo).Assembly.GetManifestResourceStream("Banyan.Credit.credit-g.csv")
            ?? throw new InvalidOperationException("embedded credit-g.csv is missing");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var table = Csv.Parse(text);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        var document = Trainer.Train(table, Enumerable.Range(0, table.Rows.Count).ToArray(), new TrainRequest
        {
            Label = "class", BadValue = "bad", Protected = new ProtectedGroup("age", ">25"), TargetApprovalRate = 0.7, TrainingDataSha256 = sha,
        }, TextWriter.Null);
        var entry = registry.Register(document);
        registry.Approve(entry.Version, DemoApprover);
    }

    private static Dictionary<string, object?> Applicant(params object[] values)
    {
        string[] columns = ["checking_status", "duration", "credit_history", "purpose", "credit_amount", "savings_status", "employment",
            "installment_commitment", "personal_status", "other_parties", "residence_since", "property_magnitude", "age",
            "other_payment_plans", "housing", "existing_credits", "job", "num_dependents", "own_telephone", "foreign_worker"];
        return columns.Zip(values).ToDictionary(p => p.First, p => (object?)p.Second);
    }

    /// <summary>Two applications (a young applicant and an established one), decided and read back.</summary>
    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        // Rows 2 and 3 of credit-g (a 22-year-old and a 49-year-old applicant), every input given.
        var applicants = new[]
        {
            Applicant("0<=X<200", 48, "existing paid", "radio/tv", 5951, "<100", "1<=X<4", 2, "female div/dep/mar", "none", 2,
                "real estate", 22, "none", "own", 1, "skilled", 1, "none", "yes"),
            Applicant("no checking", 12, "critical/other existing credit", "education", 2096, "<100", "4<=X<7", 2, "male single", "none", 3,
                "real estate", 49, "none", "own", 1, "unskilled resident", 2, "none", "yes"),
        };
        demo.Console.MarkupLine("[bold]Credit[/] — decisions with exact SHAP reasons (model approved by the demo risk committee)");
        foreach (var (applicant, language) in applicants.Zip(new[] { "en", "zh-CN" }))
        {
            // credit-g amounts are in Deutsche Mark; asked for in minor units (pfennig).
            var amountRequested = Convert.ToInt64(applicant["credit_amount"], System.Globalization.CultureInfo.InvariantCulture) * 100;
            using var response = await demo.Api.PostAsJsonAsync("/v1/credit/applications", new { applicant, language, amount_requested = amountRequested }, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /v1/credit/applications returned {(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var id = root.GetProperty("id").GetString()!;
            var offer = root.TryGetProperty("limit", out var limit) && root.TryGetProperty("price_bps", out var price)
                ? $", limit {limit.GetInt64() / 100m:F2} of {amountRequested / 100m:F2}, price {price.GetInt32() / 100m:F2} %"
                : "";
            demo.Console.WriteLine($"  application {id[..8]}… (age {applicant["age"]}): {root.GetProperty("decision").GetString()}, P(bad) {root.GetProperty("probability_bad").GetDouble():F3}{offer}, model {root.GetProperty("model_version").GetString()}");
            foreach (var reason in root.GetProperty("reasons").EnumerateArray())
                demo.Console.WriteLine("    " + reason.GetProperty("text").GetString());
            using var stored = await demo.Api.GetAsync($"/v1/credit/applications/{id}", cancellationToken);
            if (!stored.IsSuccessStatusCode) throw new InvalidOperationException($"GET /v1/credit/applications/{id} returned {(int)stored.StatusCode}");
        }
    }
}
