using Banyan.Credit.Data;

namespace Banyan.Credit.Tests;

/// <summary>The real data sets, copied next to the test binaries from datasets/credit.</summary>
internal static class TestData
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "data");

    public static string CreditG => Path.Combine(Directory, "credit-g.csv");

    public static string CreditGArff => Path.Combine(Directory, "credit-g.arff");

    public static string CreditData => Path.Combine(Directory, "credit_data.csv");

    private static readonly Lazy<Table> creditG = new(() => Table.Load(CreditG));

    public static Table CreditGTable => creditG.Value;
}
