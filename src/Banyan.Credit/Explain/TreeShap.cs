using Banyan.Credit.Learning;

namespace Banyan.Credit.Explain;

/// <summary>
/// Exact path-dependent TreeSHAP (Lundberg, Erion &amp; Lee 2018, Algorithm 2): for each tree, one
/// recursion that carries, along the unique-feature path, the proportion of subsets of each size that
/// flow through it. O(leaves · depth²) per tree, no allocation per row beyond a reusable path buffer.
/// Conditional expectations use node covers, so base + Σφ equals the margin exactly (up to rounding).
/// </summary>
internal sealed class TreeShap
{
    private readonly Tree[] trees;
    private readonly PathMath.Element[] buffer;

    public TreeShap(TreeEnsemble ensemble)
    {
        trees = [.. ensemble.Trees];
        var depth = ensemble.Trees.Count == 0 ? 0 : ensemble.Trees.Max(t => t.Depth);
        buffer = new PathMath.Element[(depth + 2) * (depth + 3) / 2];
        BaseValue = ensemble.ExpectedMargin();
    }

    public double BaseValue { get; }

    /// <summary>Adds each feature's Shapley value for row <paramref name="x"/> into <paramref name="phi"/> (cleared first).</summary>
    public void Explain(ReadOnlySpan<double> x, Span<double> phi)
    {
        phi.Clear();
        foreach (var tree in trees)
            Recurse(tree, x, phi, 0, 0, 0, 1, 1, -1);
    }

    private void Recurse(Tree tree, ReadOnlySpan<double> x, Span<double> phi, int node, int parentOffset, int depth,
        double zero, double one, int feature)
    {
        // This level's copy of the path lives right after the parent's in the shared buffer.
        var offset = parentOffset + depth + 1;
        var path = buffer.AsSpan(offset, depth + 1);
        // A hand loop: the copies are a handful of elements, where Array.Copy's fixed cost dominates.
        var parent = buffer.AsSpan(parentOffset, depth);
        for (var i = 0; i < parent.Length; i++) path[i] = parent[i];
        PathMath.Extend(path, depth, zero, one, feature);
        if (tree.IsLeaf(node))
        {
            for (var i = 1; i <= depth; i++)
            {
                var w = PathMath.UnwoundSum(path, depth, i);
                phi[path[i].Feature] += w * (path[i].One - path[i].Zero) * tree.Value[node];
            }
            return;
        }
        var split = tree.Feature[node];
        var hot = tree.Next(node, x[split]);
        var cold = hot == tree.Left[node] ? tree.Right[node] : tree.Left[node];
        double incomingZero = 1, incomingOne = 1;
        var k = 0;
        while (k <= depth && path[k].Feature != split) k++;
        if (k <= depth)
        {
            incomingZero = path[k].Zero;
            incomingOne = path[k].One;
            Unwind(path, depth, k);
            depth--;
        }
        var cover = tree.Cover[node];
        Recurse(tree, x, phi, hot, offset, depth + 1, incomingZero * tree.Cover[hot] / cover, incomingOne, split);
        Recurse(tree, x, phi, cold, offset, depth + 1, incomingZero * tree.Cover[cold] / cover, 0, split);
    }

    private static void Unwind(Span<PathMath.Element> path, int depth, int index)
    {
        var one = path[index].One;
        var zero = path[index].Zero;
        var next = path[depth].Weight;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var t = path[i].Weight;
                path[i].Weight = next * (depth + 1) / ((i + 1) * one);
                next = t - (path[i].Weight * zero * (depth - i) / (depth + 1));
            }
            else path[i].Weight = path[i].Weight * (depth + 1) / (zero * (depth - i));
        }
        for (var i = index; i < depth; i++)
        {
            path[i].Feature = path[i + 1].Feature;
            path[i].Zero = path[i + 1].Zero;
            path[i].One = path[i + 1].One;
        }
    }
}
