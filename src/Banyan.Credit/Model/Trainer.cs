using Banyan.Credit.Data;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>
/// The training pipeline: cross-validated out-of-fold margins for the model and the logistic baseline,
/// Platt calibration on those margins, a cut-off, the fairness audit with mitigation candidates, and
/// the final fit on every row. All figures in the document are out-of-fold, i.e. held out.
/// </summary>
internal static class Trainer
{
    /// <summary>One way of deciding, evaluated on out-of-fold probabilities.</summary>
    private sealed record Candidate(string Name, bool Reweighed, double[] Probability, Calibration Calibration,
        double Threshold, double? PrivilegedThreshold, double? UnprivilegedThreshold, FairnessReport Report, double Auc, double ApprovalRate);

    public static ModelDocument Train(Table table, IReadOnlyList<int> rows, TrainRequest request, TextWriter log)
    {
        request.Validate();
        var data = Pipeline.Prepare(table, rows, request);
        var o = request.Boosting;
        log.WriteLine($"credit: {data.Rows.Length} rows, {data.Bad.Sum()} bad, {data.FeatureColumns.Length} features; {request.Folds}-fold cross-validation");
        var baseline = Pipeline.CrossValidate(data, request.Folds, o.Seed, false, CreditModel.LinearAlgorithm, o);
        var margins = request.Algorithm == CreditModel.LinearAlgorithm
            ? baseline
            : Pipeline.CrossValidate(data, request.Folds, o.Seed, false, request.Algorithm, o);
        var plain = Plain(data, margins, request);
        var candidates = new List<Candidate> { plain };
        if (request.Protected is not null)
        {
            candidates.Add(WithGroupThresholds(data, plain, "group_thresholds"));
            var reweighedMargins = Pipeline.CrossValidate(data, request.Folds, o.Seed, true, request.Algorithm, o);
            var reweighed = AtRate(data, reweighedMargins, "reweighing", plain.ApprovalRate);
            candidates.Add(reweighed);
            candidates.Add(WithGroupThresholds(data, reweighed, "reweighing+group_thresholds"));
        }
        var chosen = Choose(candidates, request);
        log.WriteLine($"credit: cross-validated AUC {Metrics.Auc(margins, data.Bad):F4} (logistic baseline {Metrics.Auc(baseline, data.Bad):F4}); decision rule: {chosen.Name}");
        var final = Pipeline.Fit(data, Enumerable.Range(0, data.Rows.Length).ToArray(),
            chosen.Reweighed ? Reweighing.Weights(data.Bad, data.Group, Enumerable.Range(0, data.Rows.Length).ToArray()) : null,
            request.Algorithm, o);
        return Document(data, request, final, margins, baseline, plain, chosen, candidates);
    }

    private static Candidate Plain(LabelledRows data, double[] margins, TrainRequest request)
    {
        var calibration = Calibration.Fit(margins, data.Bad);
        var p = margins.Select(calibration.Probability).ToArray();
        var threshold = request.TargetApprovalRate is { } rate
            ? Decisions.ThresholdForRate(p, rate)
            : Decisions.ThresholdForCost(p, data.Bad, request.CostBadApproved, request.CostGoodDeclined);
        return Evaluate(data, "none", false, p, calibration, threshold, null, null);
    }

    private static Candidate AtRate(LabelledRows data, double[] margins, string name, double rate)
    {
        var calibration = Calibration.Fit(margins, data.Bad);
        var p = margins.Select(calibration.Probability).ToArray();
        return Evaluate(data, name, true, p, calibration, Decisions.ThresholdForRate(p, rate), null, null);
    }

    private static Candidate WithGroupThresholds(LabelledRows data, Candidate from, string name)
    {
        var (privileged, unprivileged) = Decisions.GroupThresholds(from.Probability, data.Group, from.ApprovalRate);
        return Evaluate(data, name, from.Reweighed, from.Probability, from.Calibration, from.Threshold, privileged, unprivileged);
    }

    private static Candidate Evaluate(LabelledRows data, string name, bool reweighed, double[] p, Calibration calibration,
        double threshold, double? privileged, double? unprivileged)
    {
        double ThresholdOf(int g) => g switch
        {
            ProtectedGroup.PrivilegedGroup when privileged is { } t => t,
            ProtectedGroup.UnprivilegedGroup when unprivileged is { } t => t,
            _ => threshold,
        };
        var approved = p.Select((v, i) => v < ThresholdOf(data.Group[i])).ToArray();
        var report = FairnessReport.Compute(approved, data.Bad, data.Group, g => g.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var auc = Metrics.Auc(Decisions.DecisionScore(p, data.Group, ThresholdOf), data.Bad);
        var rate = approved.Count(a => a) / (double)approved.Length;
        return new Candidate(name, reweighed, p, calibration, threshold, privileged, unprivileged, report, auc, rate);
    }

    /// <summary>Among candidates within the gap, the highest AUC (the first, i.e. simplest, on ties); else the smallest gap.</summary>
    private static Candidate Choose(List<Candidate> candidates, TrainRequest request)
    {
        if (request.Protected is null) return candidates[0];
        var meeting = candidates.Where(c => Math.Abs(c.Report.DemographicParityDifference) <= request.MaxParityGap).ToList();
        return meeting.Count > 0
            ? meeting.OrderByDescending(c => c.Auc).First()
            : candidates.OrderBy(c => Math.Abs(c.Report.DemographicParityDifference)).First();
    }

    private static ModelDocument Document(LabelledRows data, TrainRequest request, Fitted final, double[] margins, double[] baseline,
        Candidate plain, Candidate chosen, List<Candidate> candidates)
    {
        var o = request.Boosting;
        var p = request.Protected;
        return new ModelDocument
        {
            Algorithm = request.Algorithm,
            Label = request.Label,
            BadValue = request.BadValue,
            Features = final.Schema.Features.Select(CreditModel.ToDocument).ToList(),
            Ensemble = final.Ensemble is { } e ? CreditModel.ToDocument(e) : null,
            Linear = final.Linear is { } l ? CreditModel.ToDocument(l) : null,
            Calibration = new CalibrationDocument(chosen.Calibration.A, chosen.Calibration.B),
            Decision = new DecisionDocument(request.TargetApprovalRate is null ? "cost" : "target_approval_rate", chosen.Threshold,
                request.TargetApprovalRate, request.CostBadApproved, request.CostGoodDeclined, chosen.PrivilegedThreshold, chosen.UnprivilegedThreshold),
            Protected = p is null ? null : new ProtectedDocument(p.Column, p.Privileged, p.PrivilegedName, p.UnprivilegedName),
            TrainingDataSha256 = request.TrainingDataSha256,
            TrainingRows = data.Rows.Length,
            Training = new TrainingDocument(request.Folds, o.Seed, o.Trees, o.LearningRate, o.MaxDepth, o.MinSamplesLeaf, o.Lambda,
                o.Subsample, o.ColumnSample, chosen.Reweighed, data.Table.Rows.Count - data.Rows.Length),
            Metrics = new MetricsDocument(Metrics.Auc(margins, data.Bad), Metrics.Ks(margins, data.Bad), CrossFittedBrier(data, margins, request),
                Metrics.Auc(baseline, data.Bad), chosen.ApprovalRate),
            Fairness = p is null ? null : new FairnessDocument(request.MaxParityGap, chosen.Name,
                Math.Abs(chosen.Report.DemographicParityDifference) <= request.MaxParityGap,
                ToDocument(plain.Report, p), ToDocument(chosen.Report, p),
                candidates.Select(c => new MitigationCandidateDocument(c.Name, c.Auc, c.Report.DemographicParityDifference,
                    c.Report.EqualOpportunityDifference, c.Report.DisparateImpact, c.ApprovalRate,
                    Math.Abs(c.Report.DemographicParityDifference) <= request.MaxParityGap)).ToList()),
        };
    }

    /// <summary>
    /// Brier score with the calibration itself held out: each fold's out-of-fold margins are mapped by a
    /// Platt fit on the other folds' margins, so the figure does not reward fitting and scoring the same rows.
    /// </summary>
    private static double CrossFittedBrier(LabelledRows data, double[] margins, TrainRequest request)
    {
        var fold = Pipeline.StratifiedFolds(data.Bad, request.Folds, request.Boosting.Seed);
        var probability = new double[margins.Length];
        for (var k = 0; k < request.Folds; k++)
        {
            var others = Enumerable.Range(0, margins.Length).Where(i => fold[i] != k).ToArray();
            var calibration = Calibration.Fit(others.Select(i => margins[i]).ToArray(), others.Select(i => data.Bad[i]).ToArray());
            for (var i = 0; i < margins.Length; i++)
                if (fold[i] == k) probability[i] = calibration.Probability(margins[i]);
        }
        return Metrics.Brier(probability, data.Bad);
    }

    private static FairnessReportDocument ToDocument(FairnessReport r, ProtectedGroup p) =>
        new(r.DemographicParityDifference, r.EqualOpportunityDifference, r.DisparateImpact, r.FourFifthsRule,
            r.Groups.Select((g, i) => new GroupDocument(p.GroupName(i == 0 ? ProtectedGroup.PrivilegedGroup : ProtectedGroup.UnprivilegedGroup),
                g.N, g.ApprovalRate, g.Tpr, g.Fpr)).ToList());
}
