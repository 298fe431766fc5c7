using Banyan.Credit.Data;
using Banyan.Credit.Explain;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;

namespace Banyan.Credit.Tests;

public class TreeShapTests
{
    /// <summary>A random tree over <paramref name="features"/> features; covers are drawn at the leaves and summed upward.</summary>
    private static Tree RandomTree(Random random, int features, int maxDepth)
    {
        var f = new List<int>(); var t = new List<double>(); var m = new List<bool>();
        var l = new List<int>(); var r = new List<int>(); var v = new List<double>(); var c = new List<double>();
        double Grow(int depth)
        {
            var node = f.Count;
            f.Add(-1); t.Add(0); m.Add(false); l.Add(-1); r.Add(-1); v.Add(0); c.Add(0);
            if (depth >= maxDepth || (depth > 0 && random.NextDouble() < 0.25))
            {
                v[node] = Math.Round((random.NextDouble() * 4) - 2, 3);
                c[node] = random.Next(1, 50);
                return c[node];
            }
            f[node] = random.Next(features);
            t[node] = Math.Round(random.NextDouble(), 2);
            m[node] = random.Next(2) == 0;
            var left = Grow(depth + 1);
            l[node] = node + 1;
            r[node] = f.Count;
            var right = Grow(depth + 1);
            c[node] = left + right;
            return c[node];
        }
        Grow(0);
        return new Tree([.. f], [.. t], [.. m], [.. l], [.. r], [.. v], [.. c]);
    }

    /// <summary>Path-dependent conditional expectation: known features follow x, unknown ones split by cover.</summary>
    private static double Expectation(Tree tree, double[] x, int node, bool[] known)
    {
        if (tree.IsLeaf(node)) return tree.Value[node];
        var f = tree.Feature[node];
        if (known[f]) return Expectation(tree, x, tree.Next(node, x[f]), known);
        var (left, right) = (tree.Left[node], tree.Right[node]);
        return ((tree.Cover[left] * Expectation(tree, x, left, known)) + (tree.Cover[right] * Expectation(tree, x, right, known))) / tree.Cover[node];
    }

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    /// <summary>Shapley values by enumerating all 2^M subsets.</summary>
    private static double[] BruteForce(IReadOnlyList<Tree> trees, double[] x, int features)
    {
        double Value(int mask)
        {
            var known = Enumerable.Range(0, features).Select(i => (mask & (1 << i)) != 0).ToArray();
            return trees.Sum(t => Expectation(t, x, 0, known));
        }
        var phi = new double[features];
        for (var i = 0; i < features; i++)
        {
            for (var mask = 0; mask < 1 << features; mask++)
            {
                if ((mask & (1 << i)) != 0) continue;
                var size = System.Numerics.BitOperations.PopCount((uint)mask);
                var weight = Factorial(size) * Factorial(features - size - 1) / Factorial(features);
                phi[i] += weight * (Value(mask | (1 << i)) - Value(mask));
            }
        }
        return phi;
    }

    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(2, 3, 4)]
    [InlineData(3, 5, 4)]
    [InlineData(4, 6, 5)]
    [InlineData(5, 2, 6)]
    public void TreeShap_equals_brute_force_Shapley_values_on_random_trees(int seed, int features, int depth)
    {
        var random = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            var trees = Enumerable.Range(0, 3).Select(_ => RandomTree(random, features, depth)).ToList();
            var ensemble = new TreeEnsemble(0.25, trees);
            var shap = new TreeShap(ensemble);
            var x = Enumerable.Range(0, features).Select(_ => random.NextDouble() < 0.15 ? double.NaN : random.NextDouble()).ToArray();
            var phi = new double[features];
            shap.Explain(x, phi);
            var tables = LeafTableShap.TryCreate(ensemble)!;
            var tablePhi = new double[features];
            tables.Explain(x, tablePhi);
            var expected = BruteForce(trees, x, features);
            for (var i = 0; i < features; i++)
            {
                Assert.Equal(expected[i], phi[i], 1e-9);
                Assert.Equal(expected[i], tablePhi[i], 1e-9);
            }
            Assert.Equal(ensemble.Margin(x), shap.BaseValue + phi.Sum(), 1e-9);
            Assert.Equal(shap.BaseValue, tables.BaseValue, 1e-12);
        }
    }

    [Fact]
    public void The_brute_force_reference_detects_a_wrong_attribution()
    {
        // Guard against a vacuous comparison: a single split on feature 0 must give all credit to feature 0.
        var tree = new Tree([0, -1, -1], [0.5, 0, 0], [true, false, false], [1, -1, -1], [2, -1, -1], [0, -1, 3], [4, 3, 1]);
        var x = new[] { 0.9, 0.1 };
        var phi = new double[2];
        new TreeShap(new TreeEnsemble(0, [tree])).Explain(x, phi);
        var expectedBase = ((3 * -1.0) + 3) / 4;
        Assert.Equal(3 - expectedBase, phi[0], 1e-12);
        Assert.Equal(0, phi[1], 1e-12);
        Assert.Equal(BruteForce([tree], x, 2), phi, new ToleranceComparer(1e-12));
    }

    [Theory]
    [InlineData(CreditModel.TreesAlgorithm)]
    [InlineData(CreditModel.LinearAlgorithm)]
    public void Base_value_plus_contributions_equals_the_margin_on_every_held_out_row(string algorithm)
    {
        var table = TestData.CreditGTable;
        var request = new TrainRequest { Label = "class", BadValue = "bad", Algorithm = algorithm };
        var data = Pipeline.Prepare(table, Enumerable.Range(0, table.Rows.Count).ToArray(), request);
        var fold = Pipeline.StratifiedFolds(data.Bad, 4, 7);
        var train = Enumerable.Range(0, data.Rows.Length).Where(i => fold[i] != 0).ToArray();
        var heldOut = Enumerable.Range(0, data.Rows.Length).Where(i => fold[i] == 0).Select(i => data.Rows[i]).ToArray();
        var fitted = Pipeline.Fit(data, train, null, algorithm, request.Boosting);
        IExplainer explainer = fitted.Ensemble is { } e ? new TreeExplainer(e) : new LinearExplainer(fitted.Linear!, fitted.Schema.Count);
        IExplainer? recursive = fitted.Ensemble is { } f ? new TreeExplainer(f, allowTables: false) : null;
        var recursivePhi = new double[fitted.Schema.Count];
        var x = fitted.Schema.Encode(table, heldOut);
        var phi = new double[fitted.Schema.Count];
        Assert.Equal(250, x.Length);
        foreach (var row in x)
        {
            var margin = explainer.Explain(row, phi);
            Assert.Equal(fitted.Margin(row), margin, 1e-12);
            Assert.True(Math.Abs(explainer.BaseValue + phi.Sum() - margin) <= 1e-6, $"additivity error {explainer.BaseValue + phi.Sum() - margin}");
            Assert.Contains(phi, p => p != 0);
            if (recursive is null) continue;
            recursive.Explain(row, recursivePhi);
            for (var j = 0; j < phi.Length; j++) Assert.Equal(recursivePhi[j], phi[j], 1e-9);
        }
    }

    [Fact]
    public void Linear_contributions_equal_brute_force_Shapley_values_with_independent_features()
    {
        var table = TestData.CreditGTable;
        var request = new TrainRequest { Label = "class", BadValue = "bad", Algorithm = CreditModel.LinearAlgorithm };
        var data = Pipeline.Prepare(table, Enumerable.Range(0, 200).ToArray(), request);
        // Keep five features so 2^5 subsets stay cheap: a schema over the first five input columns.
        var small = data with { FeatureColumns = data.FeatureColumns.Take(5).ToArray() };
        var fitted = Pipeline.Fit(small, Enumerable.Range(0, small.Rows.Length).ToArray(), null, CreditModel.LinearAlgorithm, request.Boosting);
        var model = fitted.Linear!;
        var x = fitted.Schema.Encode(table, [3])[0];
        double Value(int mask)
        {
            var v = model.Intercept;
            for (var k = 0; k < model.Width; k++)
                v += model.Weights[k] * ((mask & (1 << model.Groups[k])) != 0 ? model.Design(x, k) : model.DesignMeans[k]);
            return v;
        }
        var phi = new double[5];
        new LinearExplainer(model, 5).Explain(x, phi);
        for (var i = 0; i < 5; i++)
        {
            var expected = 0.0;
            for (var mask = 0; mask < 32; mask++)
            {
                if ((mask & (1 << i)) != 0) continue;
                var size = System.Numerics.BitOperations.PopCount((uint)mask);
                expected += Factorial(size) * Factorial(5 - size - 1) / Factorial(5) * (Value(mask | (1 << i)) - Value(mask));
            }
            Assert.Equal(expected, phi[i], 1e-9);
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
