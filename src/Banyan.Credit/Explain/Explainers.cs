using Banyan.Credit.Learning;

namespace Banyan.Credit.Explain;

/// <summary>Exact Shapley values of the margin (log-odds of "bad") per input feature.</summary>
internal interface IExplainer
{
    /// <summary>E[margin]: the value every explanation starts from.</summary>
    double BaseValue { get; }

    /// <summary>Writes each feature's contribution for row <paramref name="x"/>; returns the margin.</summary>
    double Explain(ReadOnlySpan<double> x, Span<double> contributions);
}

/// <summary>TreeSHAP contributions; the margin is computed independently by walking the trees.</summary>
internal sealed class TreeExplainer(TreeEnsemble ensemble) : IExplainer
{
    private readonly TreeShap shap = new(ensemble);

    public double BaseValue => shap.BaseValue;

    public double Explain(ReadOnlySpan<double> x, Span<double> contributions)
    {
        shap.Explain(x, contributions);
        return ensemble.Margin(x);
    }
}

/// <summary>
/// For a linear margin b + Σ w_k z_k with independent features, the Shapley value of input feature f is
/// Σ over its design columns of w_k (z_k − E[z_k]); a one-hot block is one player.
/// </summary>
internal sealed class LinearExplainer(LinearModel model, int featureCount) : IExplainer
{
    public double BaseValue { get; } = model.ExpectedMargin();

    public double Explain(ReadOnlySpan<double> x, Span<double> contributions)
    {
        if (contributions.Length != featureCount) throw new ArgumentException("one contribution per feature");
        contributions.Clear();
        for (var k = 0; k < model.Width; k++)
            contributions[model.Groups[k]] += model.Weights[k] * (model.Design(x, k) - model.DesignMeans[k]);
        return model.Margin(x);
    }
}
