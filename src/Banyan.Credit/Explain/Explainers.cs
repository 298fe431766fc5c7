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

/// <summary>
/// TreeSHAP contributions: the per-leaf tables when they fit, else the recursion. The margin is
/// computed independently by walking the trees, so additivity is a real check.
/// </summary>
internal sealed class TreeExplainer : IExplainer
{
    private readonly TreeEnsemble ensemble;
    private readonly LeafTableShap? tables;
    private readonly TreeShap? recursive;

    public TreeExplainer(TreeEnsemble ensemble, bool allowTables = true)
    {
        this.ensemble = ensemble;
        tables = allowTables ? LeafTableShap.TryCreate(ensemble) : null;
        if (tables is null) recursive = new TreeShap(ensemble);
        BaseValue = tables?.BaseValue ?? recursive!.BaseValue;
    }

    public double BaseValue { get; }

    public double Explain(ReadOnlySpan<double> x, Span<double> contributions)
    {
        if (tables is not null) tables.Explain(x, contributions);
        else recursive!.Explain(x, contributions);
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
