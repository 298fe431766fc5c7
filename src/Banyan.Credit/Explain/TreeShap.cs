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
    private struct PathElement
    {
        public int Feature;
        public double Zero; // fraction of "feature unknown" flow, from covers
        public double One;  // 1 when x takes this branch, else 0
        public double Weight;
    }

    private readonly TreeEnsemble ensemble;
    private readonly PathElement[] buffer;

    public TreeShap(TreeEnsemble ensemble)
    {
        this.ensemble = ensemble;
        var depth = ensemble.Trees.Count == 0 ? 0 : ensemble.Trees.Max(t => t.Depth);
        buffer = new PathElement[(depth + 2) * (depth + 3) / 2];
        BaseValue = ensemble.ExpectedMargin();
    }

    public double BaseValue { get; }

    /// <summary>Adds each feature's Shapley value for row <paramref name="x"/> into <paramref name="phi"/> (cleared first).</summary>
    public void Explain(ReadOnlySpan<double> x, Span<double> phi)
    {
        phi.Clear();
        foreach (var tree in ensemble.Trees)
            Recurse(tree, x, phi, 0, 0, 0, 1, 1, -1);
    }

    private void Recurse(Tree tree, ReadOnlySpan<double> x, Span<double> phi, int node, int parentOffset, int depth,
        double zero, double one, int feature)
    {
        // This level's copy of the path lives right after the parent's in the shared buffer.
        var offset = parentOffset + depth + 1;
        Array.Copy(buffer, parentOffset, buffer, offset, depth);
        var path = buffer.AsSpan(offset, depth + 1);
        Extend(path, depth, zero, one, feature);
        if (tree.IsLeaf(node))
        {
            for (var i = 1; i <= depth; i++)
            {
                var w = UnwoundSum(path, depth, i);
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

    private static void Extend(Span<PathElement> path, int depth, double zero, double one, int feature)
    {
        path[depth] = new PathElement { Feature = feature, Zero = zero, One = one, Weight = depth == 0 ? 1 : 0 };
        for (var i = depth - 1; i >= 0; i--)
        {
            path[i + 1].Weight += one * path[i].Weight * (i + 1) / (depth + 1);
            path[i].Weight = zero * path[i].Weight * (depth - i) / (depth + 1);
        }
    }

    private static void Unwind(Span<PathElement> path, int depth, int index)
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

    /// <summary>Σ of the weights after unwinding element <paramref name="index"/>, without modifying the path.</summary>
    private static double UnwoundSum(Span<PathElement> path, int depth, int index)
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
