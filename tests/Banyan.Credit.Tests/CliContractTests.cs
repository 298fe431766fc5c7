using System.Text.Json;

namespace Banyan.Credit.Tests;

/// <summary>Trains one credit-g model through the CLI for the contract tests (age ≤ 25 vs &gt; 25 audited).</summary>
public sealed class TrainedModel : IDisposable
{
    public TrainedModel()
    {
        Directory.CreateDirectory(Folder);
        var (code, stdout, stderr) = CliHarness.Run("credit", "train", "--data", TestData.CreditG, "--label", "class", "--bad", "bad",
            "--protected", "age", "--privileged", ">25", "--target-approval-rate", "0.7", "--max-parity-gap", "0.05", "--out", Path).GetAwaiter().GetResult();
        (Code, Stdout, Stderr) = (code, stdout, stderr);
    }

    public string Folder { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "banyan-credit-" + Guid.NewGuid().ToString("N")[..8]);
    public string Path => System.IO.Path.Combine(Folder, "model.json");
    public int Code { get; }
    public string Stdout { get; }
    public string Stderr { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

[Collection("console")]
public class CliContractTests(TrainedModel trained) : IClassFixture<TrainedModel>
{
    [Fact]
    public void Train_writes_the_model_and_keeps_stdout_empty_without_json()
    {
        Assert.True(trained.Code == 0, trained.Stderr);
        Assert.Equal("", trained.Stdout);
        Assert.Contains("mitigation chosen", trained.Stderr, StringComparison.Ordinal);
        using var model = JsonDocument.Parse(File.ReadAllText(trained.Path));
        var root = model.RootElement;
        Assert.Equal("banyan-credit-model", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(64, root.GetProperty("training_data_sha256").GetString()!.Length);
        Assert.Equal(200, root.GetProperty("ensemble").GetProperty("trees").GetArrayLength());
        var node = root.GetProperty("ensemble").GetProperty("trees")[0].GetProperty("nodes")[0];
        foreach (var field in new[] { "feature", "threshold", "missing_left", "left", "right", "value", "cover" })
            Assert.True(node.TryGetProperty(field, out _), field);
        Assert.Equal("age", root.GetProperty("protected").GetProperty("column").GetString());
        var metrics = root.GetProperty("metrics");
        Assert.InRange(metrics.GetProperty("cv_auc").GetDouble(), 0.78, 0.9);
        Assert.InRange(metrics.GetProperty("cv_brier").GetDouble(), 0.1, 0.25);
        Assert.InRange(metrics.GetProperty("approval_rate").GetDouble(), 0.69, 0.71);
        Assert.True(root.GetProperty("fairness").GetProperty("meets_gap").GetBoolean());
        Assert.DoesNotContain(root.GetProperty("features").EnumerateArray(), f => f.GetProperty("name").GetString() is "age" or "class");
    }

    [Fact]
    public async Task Evaluate_json_has_the_contract_fields_and_only_json_on_stdout()
    {
        var (code, stdout, stderr) = await CliHarness.Run("credit", "evaluate", "--model", trained.Path, "--data", TestData.CreditG, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        foreach (var field in new[] { "auc", "ks", "approval_rate", "demographic_parity_difference", "equal_opportunity_difference", "disparate_impact" })
            Assert.Equal(JsonValueKind.Number, root.GetProperty(field).ValueKind);
        Assert.InRange(root.GetProperty("auc").GetDouble(), 0.8, 1.0);
        var groups = root.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(["age>25", "age<=25"], groups.Select(g => g.GetProperty("group").GetString()));
        Assert.Equal(1000, groups.Sum(g => g.GetProperty("n").GetInt32()));
        foreach (var g in groups)
            foreach (var field in new[] { "approval_rate", "tpr", "fpr" })
                Assert.InRange(g.GetProperty(field).GetDouble(), 0, 1);
        var dpd = groups[1].GetProperty("approval_rate").GetDouble() - groups[0].GetProperty("approval_rate").GetDouble();
        Assert.Equal(dpd, root.GetProperty("demographic_parity_difference").GetDouble(), 1e-12);
    }

    [Fact]
    public async Task Explain_json_rows_add_up_to_their_margins()
    {
        var (code, stdout, stderr) = await CliHarness.Run("credit", "explain", "--model", trained.Path, "--data", TestData.CreditGArff, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(1000, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            Assert.Equal(i, row.GetProperty("row").GetInt32());
            var contributions = row.GetProperty("contributions").EnumerateObject().ToList();
            Assert.Equal(19, contributions.Count);
            var sum = row.GetProperty("base_value").GetDouble() + contributions.Sum(c => c.Value.GetDouble());
            Assert.True(Math.Abs(sum - row.GetProperty("margin").GetDouble()) <= 1e-6, $"row {i}");
        }
    }

    [Fact]
    public async Task Explain_can_add_plain_language_reasons_in_chinese()
    {
        var (code, stdout, stderr) = await CliHarness.Run("credit", "explain", "--model", trained.Path, "--data", TestData.CreditG, "--json",
            "--reasons", "--language", "zh-CN", "--top", "2");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var row = json.RootElement.GetProperty("rows")[0];
        var reasons = row.GetProperty("reasons").EnumerateArray().ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Contains("使您的评分", reasons[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var top = row.GetProperty("contributions").EnumerateObject().MaxBy(c => Math.Abs(c.Value.GetDouble()));
        Assert.Equal(top.Name, reasons[0].GetProperty("feature").GetString());
    }

    [Fact]
    public async Task Human_explain_output_goes_to_stderr()
    {
        var (code, stdout, stderr) = await CliHarness.Run("credit", "explain", "--model", trained.Path, "--data", TestData.CreditG);
        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("row 0: P(bad)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_without_a_protected_attribute_reports_no_fairness_fields()
    {
        var path = Path.Combine(trained.Folder, "logistic.json");
        var (code, _, stderr) = await CliHarness.Run("credit", "train", "--data", TestData.CreditData, "--label", "Status", "--bad", "bad",
            "--algorithm", "logistic_regression", "--out", path);
        Assert.True(code == 0, stderr);
        var (evaluated, stdout, _) = await CliHarness.Run("credit", "evaluate", "--model", path, "--data", TestData.CreditData, "--json");
        Assert.Equal(0, evaluated);
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("auc").GetDouble() > 0.8);
        Assert.False(json.RootElement.TryGetProperty("demographic_parity_difference", out _));
        Assert.False(json.RootElement.TryGetProperty("groups", out _));
    }

    [Fact]
    public async Task A_cost_based_cut_off_approves_fewer_when_bad_approvals_cost_more()
    {
        async Task<double> Approval(string cost)
        {
            var path = Path.Combine(trained.Folder, $"cost-{cost}.json");
            var (code, stdout, stderr) = await CliHarness.Run("credit", "train", "--data", TestData.CreditG, "--label", "class", "--bad", "bad",
                "--algorithm", "logistic_regression", "--cost-bad-approved", cost, "--out", path, "--json");
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal(path, json.RootElement.GetProperty("model").GetString());
            return json.RootElement.GetProperty("metrics").GetProperty("approval_rate").GetDouble();
        }
        var lenient = await Approval("1");
        var strict = await Approval("10");
        Assert.True(strict < lenient, $"approval {strict} at cost 10 is not below {lenient} at cost 1");
    }

    [Fact]
    public async Task Registry_commands_take_a_model_from_draft_to_approved()
    {
        var registry = Path.Combine(trained.Folder, "registry");
        var (added, addedJson, addErr) = await CliHarness.Run("credit", "registry", "add", "--registry", registry, "--model", trained.Path, "--json");
        Assert.True(added == 0, addErr);
        var version = JsonDocument.Parse(addedJson).RootElement.GetProperty("version").GetString()!;
        var (refused, _, _) = await CliHarness.Run("credit", "registry", "approve", "--registry", registry, "--model-version", version);
        Assert.Equal(2, refused);
        var (approved, _, approveErr) = await CliHarness.Run("credit", "registry", "approve", "--registry", registry, "--model-version", version, "--approver", "risk committee");
        Assert.True(approved == 0, approveErr);
        var (listed, list, _) = await CliHarness.Run("credit", "registry", "list", "--registry", registry, "--json");
        Assert.Equal(0, listed);
        var entry = JsonDocument.Parse(list).RootElement.GetProperty("versions")[0];
        Assert.Equal(("approved", "risk committee"), (entry.GetProperty("status").GetString(), entry.GetProperty("approved_by").GetString()));
    }

    [Theory]
    [InlineData("credit", "train", "--data", "DATA", "--bad", "bad", "--out", "OUT")]
    [InlineData("credit", "train", "--data", "DATA", "--label", "no_such_column", "--bad", "bad", "--out", "OUT")]
    [InlineData("credit", "train", "--data", "DATA", "--label", "class", "--bad", "bad", "--target-approval-rate", "1.5", "--out", "OUT")]
    [InlineData("credit", "train", "--data", "DATA", "--label", "class", "--bad", "bad", "--protected", "age", "--out", "OUT")]
    [InlineData("credit", "train", "--data", "missing.csv", "--label", "class", "--bad", "bad", "--out", "OUT")]
    [InlineData("credit", "evaluate", "--model", "missing.json", "--data", "DATA", "--json")]
    [InlineData("credit", "explain", "--data", "DATA", "--json")]
    [InlineData("credit", "bench", "--data-dir", "/nonexistent-credit-data", "--json")]
    [InlineData("credit", "train", "--data", "DATA", "--label", "class", "--bad", "bad", "--max-depth", "40", "--out", "OUT")]
    [InlineData("credit", "train", "--data", "DATA", "--label", "class", "--bad", "bad", "--cost-bad-approved", "-1", "--out", "OUT")]
    [InlineData("credit", "train", "--data", "DATA", "--label", "class", "--bad", "bad", "--max-parity-gap", "2", "--out", "OUT")]
    [InlineData("credit", "explain", "--model", "MODEL", "--data", "DATA", "--reasons", "--language", "fr")]
    public async Task Wrong_words_are_usage_errors_and_write_no_model(params string[] args)
    {
        var output = Path.Combine(trained.Folder, "never.json");
        var resolved = args.Select(a => a switch { "DATA" => TestData.CreditG, "OUT" => output, "MODEL" => trained.Path, _ => a }).ToArray();
        var (code, stdout, _) = await CliHarness.Run(resolved);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.False(File.Exists(output));
    }
}
