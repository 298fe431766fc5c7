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

    /// <summary>Two applications (a young applicant and an established one), decided and read back.</summary>
    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        var applicants = new[]
        {
            new Dictionary<string, object?>
            {
                ["checking_status"] = "<0", ["duration"] = 48, ["credit_history"] = "existing paid", ["purpose"] = "radio/tv",
                ["credit_amount"] = 5951, ["savings_status"] = "<100", ["employment"] = "1<=X<4", ["age"] = 22,
            },
            new Dictionary<string, object?>
            {
                ["checking_status"] = "no checking", ["duration"] = 12, ["credit_history"] = "critical/other existing credit",
                ["purpose"] = "education", ["credit_amount"] = 2096, ["savings_status"] = "<100", ["employment"] = "4<=X<7", ["age"] = 49,
            },
        };
        demo.Console.MarkupLine("[bold]Credit[/] — decisions with exact SHAP reasons (model approved by the demo risk committee)");
        foreach (var (applicant, language) in applicants.Zip(new[] { "en", "zh-CN" }))
        {
            using var response = await demo.Api.PostAsJsonAsync("/v1/credit/applications", new { applicant, language }, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /v1/credit/applications returned {(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var id = root.GetProperty("id").GetString()!;
            demo.Console.WriteLine($"  application {id[..8]}… (age {applicant["age"]}): {root.GetProperty("decision").GetString()}, P(bad) {root.GetProperty("probability_bad").GetDouble():F3}, model {root.GetProperty("model_version").GetString()}");
            foreach (var reason in root.GetProperty("reasons").EnumerateArray())
                demo.Console.WriteLine("    " + reason.GetProperty("text").GetString());
            using var stored = await demo.Api.GetAsync($"/v1/credit/applications/{id}", cancellationToken);
            if (!stored.IsSuccessStatusCode) throw new InvalidOperationException($"GET /v1/credit/applications/{id} returned {(int)stored.StatusCode}");
        }
    }
}
