namespace Banyan.Credit.Learning;

/// <summary>
/// A binary regression tree in flat arrays. Node 0 is the root; a leaf has <c>Left = -1</c>. A row goes
/// left when <c>x[Feature] &lt;= Threshold</c>, or when the value is missing and <c>MissingLeft</c>.
/// <c>Cover</c> is the number of training rows that reached the node (what path-dependent TreeSHAP
/// needs); every internal node's cover is the sum of its children's.
/// </summary>
internal sealed class Tree
{
    public const int MaxNodes = 1 << 16;

    public Tree(int[] feature, double[] threshold, bool[] missingLeft, int[] left, int[] right, double[] value, double[] cover)
    {
        var n = feature.Length;
        if (n == 0 || n > MaxNodes) throw new InvalidDataException($"a tree needs 1..{MaxNodes} nodes");
        if (threshold.Length != n || missingLeft.Length != n || left.Length != n || right.Length != n || value.Length != n || cover.Length != n)
            throw new InvalidDataException("tree arrays differ in length");
        Feature = feature; Threshold = threshold; MissingLeft = missingLeft;
        Left = left; Right = right; Value = value; Cover = cover;
        Depth = Validate();
    }

    public int[] Feature { get; }
    public double[] Threshold { get; }
    public bool[] MissingLeft { get; }
    public int[] Left { get; }
    public int[] Right { get; }
    public double[] Value { get; }
    public double[] Cover { get; }

    /// <summary>Longest root-to-leaf path in edges.</summary>
    public int Depth { get; }

    public int NodeCount => Feature.Length;

    public bool IsLeaf(int node) => Left[node] < 0;

    /// <summary>The child a row with value <paramref name="x"/> for this node's feature goes to.</summary>
    public int Next(int node, double x) =>
        double.IsNaN(x) ? (MissingLeft[node] ? Left[node] : Right[node]) : x <= Threshold[node] ? Left[node] : Right[node];

    public double Predict(ReadOnlySpan<double> x)
    {
        var node = 0;
        while (!IsLeaf(node)) node = Next(node, x[Feature[node]]);
        return Value[node];
    }

    /// <summary>E[f] under the training distribution described by the covers.</summary>
    public double ExpectedValue()
    {
        var total = 0.0;
        for (var i = 0; i < NodeCount; i++)
            if (IsLeaf(i)) total += Value[i] * Cover[i];
        return total / Cover[0];
    }

    public int MaxFeature() => Feature.Max();

    /// <summary>Checks the structure is a tree reachable from the root with consistent covers; returns depth.</summary>
    private int Validate()
    {
        var seen = new bool[NodeCount];
        var stack = new Stack<(int Node, int Depth)>();
        stack.Push((0, 0));
        var depth = 0;
        while (stack.Count > 0)
        {
            var (node, d) = stack.Pop();
            if (node < 0 || node >= NodeCount || seen[node]) throw new InvalidDataException($"tree node {node} is out of range or shared");
            seen[node] = true;
            if (!(Cover[node] > 0) || !double.IsFinite(Value[node])) throw new InvalidDataException($"tree node {node} has a bad cover or value");
            depth = Math.Max(depth, d);
            if (IsLeaf(node)) continue;
            if (Feature[node] < 0 || !double.IsFinite(Threshold[node])) throw new InvalidDataException($"tree node {node} has a bad split");
            var sum = Cover[Left[node]] + Cover[Right[node]];
            if (Math.Abs(sum - Cover[node]) > 1e-9 * Math.Max(1, Cover[node]))
                throw new InvalidDataException($"tree node {node}: children covers do not add up");
            stack.Push((Left[node], d + 1));
            stack.Push((Right[node], d + 1));
        }
        if (seen.Any(s => !s)) throw new InvalidDataException("tree has unreachable nodes");
        return depth;
    }
}
