using Banyan.Credit.Data;
using Banyan.Credit.Explain;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>The <c>credit evaluate</c> document; fairness fields only when the model declares a protected attribute.</summary>
internal sealed record EvaluationDocument(
    int N,
    double? Auc,
    double? Ks,
    double? Brier,
    double ApprovalRate,
    double? DemographicParityDifference,
    double? EqualOpportunityDifference,
    double? DisparateImpact,
    bool? FourFifthsRule,
    IReadOnlyList<GroupDocument>? Groups);

/// <summary>The <c>credit explain</c> document: margins and contributions in log-odds of "bad".</summary>
internal sealed record ExplanationDocument(IReadOnlyList<RowExplanation> Rows);

internal sealed record RowExplanation(int Row, double BaseValue, double Margin, double ProbabilityBad, bool Approved, IReadOnlyDictionary<string, double> Contributions)
{
    /// <summary>Plain-language top reasons, only when asked for (<c>--reasons</c>).</summary>
    public IReadOnlyList<Reason>? Reasons { get; init; }
}

/// <summary>Applies a loaded model to a table: decisions, held-out metrics and explanations.</summary>
internal static class Scoring
{
    public const int MaxExplainRows = 1_000_000;

    public static EvaluationDocument Evaluate(CreditModel model, Table table)
    {
        var label = table.ColumnIndex(model.Document.Label);
        if (label < 0) throw new InvalidDataException($"data has no label column '{model.Document.Label}' to evaluate against");
        var rows = Enumerable.Range(0, table.Rows.Count).Where(r => table.Rows[r][label] is not null).ToArray();
        var bad = rows.Select(r => table.Rows[r][label] == model.Document.BadValue ? 1 : 0).ToArray();
        var x = model.Schema.Encode(table, rows);
        var group = model.Protected?.Classify(table, rows) ?? rows.Select(_ => ProtectedGroup.UnknownGroup).ToArray();
        var margin = x.Select(r => model.Margin(r)).ToArray();
        var p = margin.Select(model.Calibration.Probability).ToArray();
        var approved = p.Select((v, i) => model.Approve(v, group[i])).ToArray();
        var rate = rows.Length == 0 ? 0 : approved.Count(a => a) / (double)rows.Length;
        FairnessReport? fairness = model.Protected is { } pg ? FairnessReport.Compute(approved, bad, group, pg.GroupName) : null;
        return new EvaluationDocument(rows.Length, Finite(Metrics.Auc(margin, bad)), Finite(Metrics.Ks(margin, bad)), Finite(Metrics.Brier(p, bad)), rate,
            fairness?.DemographicParityDifference, fairness?.EqualOpportunityDifference, fairness?.DisparateImpact, fairness?.FourFifthsRule,
            fairness?.Groups.Select(g => new GroupDocument(g.Group, g.N, g.ApprovalRate, g.Tpr, g.Fpr)).ToList());
    }

    /// <summary>Explains every row of the table (row = 0-based data row number, header excluded).</summary>
    public static ExplanationDocument Explain(CreditModel model, Table table, string? reasonLanguage = null, int reasonCount = 3)
    {
        if (table.Rows.Count > MaxExplainRows) throw new InvalidDataException($"explain takes at most {MaxExplainRows} rows");
        var rows = Enumerable.Range(0, table.Rows.Count).ToArray();
        var x = model.Schema.Encode(table, rows);
        var group = model.Protected is { } pg && table.ColumnIndex(pg.Column) >= 0
            ? pg.Classify(table, rows)
            : rows.Select(_ => ProtectedGroup.UnknownGroup).ToArray();
        var explainer = model.CreateExplainer();
        var phi = new double[model.Schema.Count];
        var result = new List<RowExplanation>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            var margin = explainer.Explain(x[i], phi);
            var contributions = new Dictionary<string, double>(phi.Length, StringComparer.Ordinal);
            for (var f = 0; f < phi.Length; f++) contributions[model.Schema.Features[f].Name] = phi[f];
            var p = model.Calibration.Probability(margin);
            var raw = table.Rows[i];
            var reasons = reasonLanguage is null ? null
                : Reasons.Top(contributions, f => raw[table.ColumnIndex(f)], reasonLanguage, reasonCount);
            result.Add(new RowExplanation(i, explainer.BaseValue, margin, p, model.Approve(p, group[i]), contributions) { Reasons = reasons });
        }
        return new ExplanationDocument(result);
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
