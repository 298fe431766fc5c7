using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>What to train. Invalid words raise <see cref="ArgumentException"/> (the CLI reports them as usage errors).</summary>
internal sealed record TrainRequest
{
    public required string Label { get; init; }
    public required string BadValue { get; init; }
    public ProtectedGroup? Protected { get; init; }
    public double? TargetApprovalRate { get; init; }
    public double MaxParityGap { get; init; } = 0.05;
    public string Algorithm { get; init; } = CreditModel.TreesAlgorithm;
    public int Folds { get; init; } = 5;
    public double CostBadApproved { get; init; } = 5;
    public double CostGoodDeclined { get; init; } = 1;
    public BoostingOptions Boosting { get; init; } = new();
    public string TrainingDataSha256 { get; init; } = "";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Label)) throw new ArgumentException("--label is required");
        if (string.IsNullOrEmpty(BadValue)) throw new ArgumentException("--bad is required");
        if (TargetApprovalRate is { } r && !(r is > 0 and < 1)) throw new ArgumentException("--target-approval-rate must be in (0, 1)");
        if (!(MaxParityGap is >= 0 and <= 1)) throw new ArgumentException("--max-parity-gap must be in [0, 1]");
        if (Folds is < 2 or > 20) throw new ArgumentException("--folds must be 2..20");
        if (!(CostBadApproved > 0) || !(CostGoodDeclined > 0)) throw new ArgumentException("costs must be positive");
        if (Algorithm is not (CreditModel.TreesAlgorithm or CreditModel.LinearAlgorithm))
            throw new ArgumentException($"--algorithm must be {CreditModel.TreesAlgorithm} or {CreditModel.LinearAlgorithm}");
        Protected?.Validate();
        if (Protected is { } p && p.Column == Label) throw new ArgumentException("the protected column cannot be the label");
        try { Boosting.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new ArgumentException(e.Message, e); }
    }
}
