using Banyan.Credit.Learning;

namespace Banyan.Credit.Explain;

/// <summary>
/// The same path-dependent TreeSHAP, precomputed per leaf (decision 0302). In Algorithm 2 a leaf's
/// contribution depends on the row only through one bit per distinct feature on its root path: does
/// the row follow the path at every node that splits on that feature (one fraction 1) or not (0)? The
/// zero fractions are products of cover ratios and do not depend on the row. So for each leaf and each
/// of the 2^k bit patterns we run EXTEND/UNWOUND-SUM once at load time, and explaining a row becomes:
/// evaluate each split once, form each leaf's pattern, add k table entries.
/// </summary>
internal sealed class LeafTableShap
{
    /// <summary>Largest table (doubles, whole ensemble) we precompute; deeper ensembles use the recursion.</summary>
    public const long MaxTableEntries = 8_000_000;

    private sealed record Leaf(int[] Nodes, bool[] WentLeft, int[] Local, int[] Features, double[] Table);

    // Every leaf of every tree, flattened into contiguous arrays so a row walks memory in order.
    private readonly Tree[] trees;
    private readonly int[] treeLeafEnd;      // leaves of tree t are [treeLeafEnd[t-1], treeLeafEnd[t])
    private readonly int[] leafStepStart;    // path steps of leaf l are [leafStepStart[l], leafStepStart[l+1])
    private readonly int[] stepNode;
    private readonly bool[] stepLeft;
    private readonly int[] stepLocal;
    private readonly int[] leafFeatureStart; // k features of leaf l start here, table starts at leafTableStart[l]
    private readonly int[] leafFeatures;
    private readonly int[] leafTableStart;
    private readonly double[] table;
    private readonly bool[] goesLeft;

    private LeafTableShap(Tree[] trees, Leaf[][] leaves, double baseValue)
    {
        this.trees = trees;
        BaseValue = baseValue;
        var all = leaves.SelectMany(l => l).ToArray();
        treeLeafEnd = new int[trees.Length];
        for (int t = 0, end = 0; t < trees.Length; t++) treeLeafEnd[t] = end += leaves[t].Length;
        leafStepStart = Offsets(all.Select(l => l.Nodes.Length));
        stepNode = [.. all.SelectMany(l => l.Nodes)];
        stepLeft = [.. all.SelectMany(l => l.WentLeft)];
        stepLocal = [.. all.SelectMany(l => l.Local)];
        leafFeatureStart = Offsets(all.Select(l => l.Features.Length));
        leafFeatures = [.. all.SelectMany(l => l.Features)];
        leafTableStart = Offsets(all.Select(l => l.Table.Length));
        table = [.. all.SelectMany(l => l.Table)];
        goesLeft = new bool[trees.Length == 0 ? 1 : trees.Max(t => t.NodeCount)];
    }

    public double BaseValue { get; }

    /// <summary>The precomputed explainer, or null when the tables would exceed <see cref="MaxTableEntries"/>.</summary>
    public static LeafTableShap? TryCreate(TreeEnsemble ensemble)
    {
        long entries = 0;
        foreach (var tree in ensemble.Trees)
        {
            var k = Math.Min(tree.Depth, 24);
            entries += tree.NodeCount * (1L << k) * Math.Max(1, k);
            if (entries > MaxTableEntries) return null;
        }
        var trees = ensemble.Trees.ToArray();
        return new LeafTableShap(trees, trees.Select(t => Leaves(t).ToArray()).ToArray(), ensemble.ExpectedMargin());
    }

    public void Explain(ReadOnlySpan<double> x, Span<double> phi)
    {
        phi.Clear();
        var leaf = 0;
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            for (var n = 0; n < tree.NodeCount; n++)
                if (!tree.IsLeaf(n)) goesLeft[n] = tree.Next(n, x[tree.Feature[n]]) == tree.Left[n];
            for (; leaf < treeLeafEnd[t]; leaf++)
            {
                var firstFeature = leafFeatureStart[leaf];
                var k = leafFeatureStart[leaf + 1] - firstFeature;
                var mask = (1 << k) - 1;
                for (var s = leafStepStart[leaf]; s < leafStepStart[leaf + 1]; s++)
                    if (goesLeft[stepNode[s]] != stepLeft[s]) mask &= ~(1 << stepLocal[s]);
                var row = leafTableStart[leaf] + (mask * k);
                for (var j = 0; j < k; j++) phi[leafFeatures[firstFeature + j]] += table[row + j];
            }
        }
    }

    private static int[] Offsets(IEnumerable<int> lengths)
    {
        var list = new List<int> { 0 };
        foreach (var n in lengths) list.Add(list[^1] + n);
        return [.. list];
    }

    private static IEnumerable<Leaf> Leaves(Tree tree)
    {
        var stack = new Stack<(int Node, int[] Nodes, bool[] Left)>();
        stack.Push((0, [], []));
        while (stack.Count > 0)
        {
            var (node, nodes, left) = stack.Pop();
            if (tree.IsLeaf(node)) { yield return Build(tree, node, nodes, left); continue; }
            stack.Push((tree.Right[node], [.. nodes, node], [.. left, false]));
            stack.Push((tree.Left[node], [.. nodes, node], [.. left, true]));
        }
    }

    private static Leaf Build(Tree tree, int leaf, int[] nodes, bool[] wentLeft)
    {
        var features = nodes.Select(n => tree.Feature[n]).Distinct().ToArray();
        var local = nodes.Select(n => Array.IndexOf(features, tree.Feature[n])).ToArray();
        var k = features.Length;
        var zero = Enumerable.Repeat(1.0, k).ToArray();
        for (var s = 0; s < nodes.Length; s++)
        {
            var child = wentLeft[s] ? tree.Left[nodes[s]] : tree.Right[nodes[s]];
            zero[local[s]] *= tree.Cover[child] / tree.Cover[nodes[s]];
        }
        var table = new double[(1 << k) * k];
        var path = new PathMath.Element[k + 1];
        for (var mask = 0; mask < 1 << k; mask++)
        {
            PathMath.Extend(path, 0, 1, 1, -1);
            for (var j = 0; j < k; j++) PathMath.Extend(path, j + 1, zero[j], (mask >> j) & 1, j);
            for (var j = 0; j < k; j++)
            {
                var w = PathMath.UnwoundSum(path, k, j + 1);
                table[(mask * k) + j] = w * (path[j + 1].One - path[j + 1].Zero) * tree.Value[leaf];
            }
        }
        return new Leaf(nodes, wentLeft, local, features, table);
    }
}

/// <summary>EXTEND and UNWOUND-SUM of Algorithm 2, shared with the table precomputation.</summary>
internal static class PathMath
{
    internal struct Element
    {
        public int Feature;
        public double Zero;
        public double One;
        public double Weight;
    }

    public static void Extend(Span<Element> path, int depth, double zero, double one, int feature)
    {
        path[depth] = new Element { Feature = feature, Zero = zero, One = one, Weight = depth == 0 ? 1 : 0 };
        for (var i = depth - 1; i >= 0; i--)
        {
            path[i + 1].Weight += one * path[i].Weight * (i + 1) / (depth + 1);
            path[i].Weight = zero * path[i].Weight * (depth - i) / (depth + 1);
        }
    }

    public static double UnwoundSum(ReadOnlySpan<Element> path, int depth, int index)
    {
        var one = path[index].One;
        var zero = path[index].Zero;
        var next = path[depth].Weight;
        var total = 0.0;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var t = next * (depth + 1) / ((i + 1) * one);
                total += t;
                next = path[i].Weight - (t * zero * (depth - i) / (depth + 1));
            }
            else if (zero != 0)
                total += path[i].Weight / zero / ((double)(depth - i) / (depth + 1));
        }
        return total;
    }
}
