using System.Text.Json;
using System.Text.Json.Serialization;

namespace Banyan.Credit.Model;

/// <summary>
/// The self-contained, versioned model file. Everything needed to score, explain and audit is here:
/// feature encoding, trees (with covers) or linear terms, calibration, cut-offs, protected attribute,
/// training data hash, cross-validated metrics and the fairness report with the mitigation trade-off.
/// </summary>
internal sealed record ModelDocument
{
    public const string FormatName = "banyan-credit-model";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string Algorithm { get; init; }
    public required string Label { get; init; }
    public required string BadValue { get; init; }
    public required IReadOnlyList<FeatureDocument> Features { get; init; }
    public EnsembleDocument? Ensemble { get; init; }
    public LinearDocument? Linear { get; init; }
    public required CalibrationDocument Calibration { get; init; }
    public required DecisionDocument Decision { get; init; }
    public ProtectedDocument? Protected { get; init; }
    public required string TrainingDataSha256 { get; init; }
    public required int TrainingRows { get; init; }
    public required TrainingDocument Training { get; init; }
    public required MetricsDocument Metrics { get; init; }
    public FairnessDocument? Fairness { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
        // Output is JSON for scripts, never embedded in HTML: keep "        WriteIndented = false,gt;" and "+" readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 32,
    };

    public static readonly JsonSerializerOptions JsonIndented = new(Json) { WriteIndented = true };
}

internal sealed record FeatureDocument(string Name, string Kind, IReadOnlyList<string>? Categories);

internal sealed record EnsembleDocument(double BaseScore, IReadOnlyList<TreeDocument> Trees);

internal sealed record TreeDocument(IReadOnlyList<NodeDocument> Nodes);

/// <summary>A node: leaves have <c>feature = -1</c> and children -1; <c>value</c> is the leaf's log-odds.</summary>
internal sealed record NodeDocument(int Feature, double Threshold, bool MissingLeft, int Left, int Right, double Value, double Cover);

internal sealed record LinearDocument(double Intercept, IReadOnlyList<LinearTermDocument> Terms);

/// <summary>One design column: <c>category</c> = -1 for a standardised numeric feature, else the one-hot code.</summary>
internal sealed record LinearTermDocument(int Feature, int Category, double Center, double Scale, double Weight, double Mean);

/// <summary>P(bad) = σ(a·margin + b).</summary>
internal sealed record CalibrationDocument(double A, double B);

/// <summary>
/// Approve when P(bad) &lt; the applicant group's threshold (or <c>threshold</c> when the model has no
/// per-group thresholds or the group is unknown).
/// </summary>
internal sealed record DecisionDocument(
    string Rule,
    double Threshold,
    double? TargetApprovalRate,
    double CostBadApproved,
    double CostGoodDeclined,
    double? PrivilegedThreshold,
    double? UnprivilegedThreshold);

internal sealed record ProtectedDocument(string Column, string Privileged, string PrivilegedGroup, string UnprivilegedGroup);

internal sealed record TrainingDocument(int Folds, int Seed, int Trees, double LearningRate, int MaxDepth, int MinSamplesLeaf,
    double Lambda, double Subsample, double ColumnSample, bool Reweighed, int SkippedRows);

/// <summary>Cross-validated (out-of-fold) figures on the training data.</summary>
internal sealed record MetricsDocument(double CvAuc, double CvKs, double CvBrier, double BaselineCvAuc, double ApprovalRate);

internal sealed record FairnessDocument(
    double MaxParityGap,
    string Mitigation,
    bool MeetsGap,
    FairnessReportDocument Before,
    FairnessReportDocument After,
    IReadOnlyList<MitigationCandidateDocument> Candidates);

internal sealed record FairnessReportDocument(
    double DemographicParityDifference,
    double? EqualOpportunityDifference,
    double? DisparateImpact,
    bool FourFifthsRule,
    IReadOnlyList<GroupDocument> Groups);

internal sealed record GroupDocument(string Group, int N, double ApprovalRate, double? Tpr, double? Fpr);

/// <summary>One row of the trade-off table: AUC of the decision score, parity and approval under a mitigation.</summary>
internal sealed record MitigationCandidateDocument(string Name, double Auc, double DemographicParityDifference,
    double? EqualOpportunityDifference, double? DisparateImpact, double ApprovalRate, bool MeetsGap);
