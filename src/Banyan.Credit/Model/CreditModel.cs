using System.Text.Json;
using Banyan.Credit.Data;
using Banyan.Credit.Explain;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;

namespace Banyan.Credit.Model;

/// <summary>A loaded model: encodes rows, scores, decides and explains. Built from a <see cref="ModelDocument"/>.</summary>
internal sealed class CreditModel
{
    public const string TreesAlgorithm = "gradient_boosted_trees";
    public const string LinearAlgorithm = "logistic_regression";
    public const long MaxModelBytes = 256L * 1024 * 1024;

    public CreditModel(ModelDocument document)
    {
        if (document.Format != ModelDocument.FormatName) throw new InvalidDataException($"not a {ModelDocument.FormatName} file");
        if (document.Version != ModelDocument.CurrentVersion) throw new InvalidDataException($"model version {document.Version} is not supported (expected {ModelDocument.CurrentVersion})");
        Document = document;
        Schema = new FeatureSchema(document.Features.Select(ToSpec).ToList());
        Calibration = new Calibration(document.Calibration.A, document.Calibration.B);
        Protected = document.Protected is { } p ? new ProtectedGroup(p.Column, p.Privileged) : null;
        switch (document.Algorithm)
        {
            case TreesAlgorithm when document.Ensemble is { } e:
                Ensemble = FromDocument(e, Schema.Count);
                break;
            case LinearAlgorithm when document.Linear is { } l:
                Linear = FromDocument(l, Schema);
                break;
            default:
                throw new InvalidDataException($"model algorithm '{document.Algorithm}' has no matching parameters");
        }
    }

    public ModelDocument Document { get; }
    public FeatureSchema Schema { get; }
    public TreeEnsemble? Ensemble { get; }
    public LinearModel? Linear { get; }
    public Calibration Calibration { get; }
    public ProtectedGroup? Protected { get; }

    /// <summary>Raw model output in log-odds of "bad"; what SHAP values add up to.</summary>
    public double Margin(ReadOnlySpan<double> x) => Ensemble?.Margin(x) ?? Linear!.Margin(x);

    public double Probability(ReadOnlySpan<double> x) => Calibration.Probability(Margin(x));

    /// <summary>The P(bad) cut-off for an applicant of <paramref name="group"/> (−1 unknown).</summary>
    public double Threshold(int group)
    {
        var d = Document.Decision;
        return group switch
        {
            ProtectedGroup.PrivilegedGroup when d.PrivilegedThreshold is { } t => t,
            ProtectedGroup.UnprivilegedGroup when d.UnprivilegedThreshold is { } t => t,
            _ => d.Threshold,
        };
    }

    public bool Approve(double probabilityBad, int group) => probabilityBad < Threshold(group);

    /// <summary>A fresh explainer (not thread-safe: it owns a path buffer).</summary>
    public IExplainer CreateExplainer() =>
        Ensemble is { } e ? new TreeExplainer(e) : new LinearExplainer(Linear!, Schema.Count);

    public static CreditModel Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"model file '{path}' not found", path);
        if (info.Length > MaxModelBytes) throw new InvalidDataException($"model file exceeds {MaxModelBytes} bytes");
        using var stream = File.OpenRead(path);
        var document = JsonSerializer.Deserialize<ModelDocument>(stream, ModelDocument.Json)
            ?? throw new InvalidDataException("model file is empty");
        return new CreditModel(document);
    }

    public static void Save(ModelDocument document, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // Write then rename, so a crash never leaves half a model under the real name.
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, ModelDocument.JsonIndented));
        File.Move(temporary, full, overwrite: true);
    }

    private static FeatureSpec ToSpec(FeatureDocument f) => f.Kind switch
    {
        "numeric" => new FeatureSpec(f.Name, FeatureKind.Numeric, []),
        "categorical" => new FeatureSpec(f.Name, FeatureKind.Categorical, f.Categories ?? []),
        _ => throw new InvalidDataException($"feature '{f.Name}' has unknown kind '{f.Kind}'"),
    };

    public static FeatureDocument ToDocument(FeatureSpec f) =>
        new(f.Name, f.Kind == FeatureKind.Numeric ? "numeric" : "categorical", f.Kind == FeatureKind.Numeric ? null : f.Categories);

    private static TreeEnsemble FromDocument(EnsembleDocument e, int featureCount)
    {
        var trees = e.Trees.Select(t =>
        {
            var n = t.Nodes;
            var tree = new Tree(n.Select(x => x.Feature).ToArray(), n.Select(x => x.Threshold).ToArray(), n.Select(x => x.MissingLeft).ToArray(),
                n.Select(x => x.Left).ToArray(), n.Select(x => x.Right).ToArray(), n.Select(x => x.Value).ToArray(), n.Select(x => x.Cover).ToArray());
            if (tree.MaxFeature() >= featureCount) throw new InvalidDataException("a tree splits on a feature the model does not declare");
            return tree;
        }).ToList();
        return new TreeEnsemble(e.BaseScore, trees);
    }

    public static EnsembleDocument ToDocument(TreeEnsemble e) =>
        new(e.BaseScore, e.Trees.Select(t => new TreeDocument(Enumerable.Range(0, t.NodeCount)
            .Select(i => new NodeDocument(t.Feature[i], t.Threshold[i], t.MissingLeft[i], t.Left[i], t.Right[i], t.Value[i], t.Cover[i]))
            .ToList())).ToList());

    private static LinearModel FromDocument(LinearDocument l, FeatureSchema schema)
    {
        var terms = l.Terms;
        foreach (var t in terms)
        {
            if (t.Feature < 0 || t.Feature >= schema.Count) throw new InvalidDataException("a linear term names an undeclared feature");
            if (!(t.Scale > 0) || !double.IsFinite(t.Weight)) throw new InvalidDataException("a linear term has a bad scale or weight");
        }
        return new LinearModel(l.Intercept, terms.Select(t => t.Weight).ToArray(), terms.Select(t => t.Feature).ToArray(),
            terms.Select(t => t.Category).ToArray(), terms.Select(t => t.Center).ToArray(), terms.Select(t => t.Scale).ToArray(),
            terms.Select(t => t.Mean).ToArray());
    }

    public static LinearDocument ToDocument(LinearModel m) =>
        new(m.Intercept, Enumerable.Range(0, m.Width)
            .Select(k => new LinearTermDocument(m.Groups[k], m.Codes[k], m.Centers[k], m.Scales[k], m.Weights[k], m.DesignMeans[k]))
            .ToList());
}
