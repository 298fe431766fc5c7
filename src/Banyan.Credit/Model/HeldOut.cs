using Banyan.Credit.Data;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>Pooled held-out decisions: the whole training pipeline run per outer fold.</summary>
/// <summary><c>Auc</c> is of the decision score (log-odds distance to the applicant's cut-off).</summary>
internal sealed record HeldOutResult(double ParityGap, double? EqualOpportunityDifference, double Auc, double ApprovalRate, IReadOnlyList<string> Mitigations);

/// <summary>
/// Outer k-fold evaluation: each fold trains the complete pipeline (its own inner cross-validation,
/// calibration, cut-off and mitigation choice) on the other folds and decides the held-out rows. The
/// pooled decisions are audited, so every applicant is judged by a model that never saw them.
/// </summary>
internal static class HeldOut
{
    public static HeldOutResult Evaluate(Table table, TrainRequest request, int folds, int seed)
    {
        var protectedGroup = request.Protected ?? throw new ArgumentException("held-out fairness needs a protected attribute");
        var data = Pipeline.Prepare(table, Enumerable.Range(0, table.Rows.Count).ToArray(), request);
        var fold = Pipeline.StratifiedFolds(data.Bad, folds, seed);
        var approved = new bool[data.Rows.Length];
        var margin = new double[data.Rows.Length];
        var mitigations = new List<string>();
        for (var k = 0; k < folds; k++)
        {
            var train = Enumerable.Range(0, fold.Length).Where(i => fold[i] != k).Select(i => data.Rows[i]).ToArray();
            var document = Trainer.Train(table, train, request, TextWriter.Null);
            mitigations.Add(document.Fairness!.Mitigation);
            var model = new CreditModel(document);
            var test = Enumerable.Range(0, fold.Length).Where(i => fold[i] == k).ToArray();
            var x = model.Schema.Encode(table, test.Select(i => data.Rows[i]).ToArray());
            for (var j = 0; j < test.Length; j++)
            {
                var i = test[j];
                // Rank by log-odds distance to the applicant's own cut-off: what the decision really uses.
                var p = Math.Clamp(model.Calibration.Probability(model.Margin(x[j])), 1e-12, 1 - 1e-12);
                var t = Math.Clamp(model.Threshold(data.Group[i]), 1e-12, 1 - 1e-12);
                margin[i] = Metrics.Logit(p) - Metrics.Logit(t);
                approved[i] = model.Approve(p, data.Group[i]);
            }
        }
        var report = FairnessReport.Compute(approved, data.Bad, data.Group, protectedGroup.GroupName);
        return new HeldOutResult(report.DemographicParityDifference, report.EqualOpportunityDifference, Metrics.Auc(margin, data.Bad),
            approved.Count(a => a) / (double)approved.Length, mitigations);
    }
}
