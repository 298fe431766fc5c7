namespace Banyan.Credit.Portraits;

/// <summary>What the generator planted for a company: the truth tests and the first-loan label rule use.</summary>
internal enum Archetype
{
    Healthy,
    Struggling,
    Exporter,
    Shell,
    Circular,
    RelatedOneWay,
    SmallGenuine,
}

/// <summary>Hidden facts about a generated company (never part of the feeds).</summary>
internal readonly record struct CompanyTruth(Archetype Archetype, double Health);

/// <summary>Options of the seeded SME feed generator.</summary>
internal sealed record GeneratorOptions
{
    public int Seed { get; init; } = 7;
    public int Companies { get; init; } = 60;
    public DateOnly AsOf { get; init; } = new(2026, 10, 1);
    public int Months { get; init; } = 24;

    /// <summary>Plant 3 shells, one circular 3-company group, a one-way related pair and a small genuine company.</summary>
    public bool PlantSpecialCases { get; init; } = true;

    public void Validate()
    {
        if (Companies is < 1 or > 20_000) throw new ArgumentOutOfRangeException(nameof(Companies), "companies must be 1..20000");
        if (Months is < 6 or > 60) throw new ArgumentOutOfRangeException(nameof(Months), "months must be 6..60");
    }
}

/// <summary>
/// Deterministic generator of realistic partner feeds (decision 0351): each company has a hidden health
/// in [0,1] that drives growth, filing discipline, fulfilment and how late its customers are paid; planted
/// shells and related-party groups exercise the shell detector. Same seed, same bytes.
/// </summary>
internal sealed partial class FeedGenerator
{
    private readonly GeneratorOptions options;
    private readonly Random random;
    private readonly Feeds feeds = new();
    private readonly Dictionary<string, CompanyTruth> truth = new(StringComparer.Ordinal);
    private readonly string[] market;
    private int sequence;

    private FeedGenerator(GeneratorOptions options)
    {
        options.Validate();
        this.options = options;
        random = new Random(options.Seed);
        // Outside counterparties (not the bank's applicants): customers and suppliers in the market.
        market = Enumerable.Range(1, 400).Select(i => $"MKT{i:D4}").ToArray();
    }

    public static (Feeds Feeds, IReadOnlyDictionary<string, CompanyTruth> Truth) Generate(GeneratorOptions options)
    {
        var g = new FeedGenerator(options);
        g.Run();
        g.feeds.Validate();
        return (g.feeds, g.truth);
    }

    private DateOnly Start => options.AsOf.AddMonths(-options.Months);

    private void Run()
    {
        var planted = 0;
        if (options.PlantSpecialCases) planted = PlantSpecialCases();
        for (var i = planted; i < options.Companies; i++)
        {
            var roll = random.NextDouble();
            var archetype = roll < 0.55 ? Archetype.Healthy : roll < 0.8 ? Archetype.Struggling : Archetype.Exporter;
            var health = archetype == Archetype.Struggling ? 0.05 + (0.45 * random.NextDouble()) : 0.35 + (0.65 * random.NextDouble());
            var id = $"SME{i + 1:D5}";
            AddCompany(id, null, archetype, health, specialised: random.NextDouble() < 0.2);
            TradingCompany(id, archetype, health);
        }
    }

    private int PlantSpecialCases()
    {
        for (var i = 0; i < 3; i++)
        {
            var id = $"SME{i + 1:D5}";
            AddCompany(id, null, Archetype.Shell, 0.1, specialised: true, exporter: true, assets: 900_000_000_00L);
            ShellCompany(id);
        }
        string[] ring = ["SME00004", "SME00005", "SME00006"];
        foreach (var id in ring) AddCompany(id, "GRP-RING", Archetype.Circular, 0.2, specialised: true);
        CircularRing(ring);
        AddCompany("SME00007", "GRP-PARENT", Archetype.RelatedOneWay, 0.8, specialised: false);
        AddCompany("SME00008", "GRP-PARENT", Archetype.RelatedOneWay, 0.7, specialised: false);
        TradingCompany("SME00007", Archetype.Healthy, 0.8);
        TradingCompany("SME00008", Archetype.Healthy, 0.7);
        // The parent sells to its subsidiary every month, the subsidiary never sells back: related, not circular.
        for (var m = 0; m < options.Months; m++)
            AddInvoice("SME00007", "SME00008", Start.AddMonths(m).AddDays(10), 3_000_000_00L);
        AddCompany("SME00009", null, Archetype.SmallGenuine, 0.6, specialised: true, assets: 20_000_000);
        TradingCompany("SME00009", Archetype.SmallGenuine, 0.6);
        return 9;
    }

    private void AddCompany(string id, string? group, Archetype archetype, double health, bool specialised, bool exporter = false, long assets = 0)
    {
        var sector = Pick(["manufacturing", "wholesale", "agri-processing", "logistics", "software", "textiles"]);
        var region = Pick(["east", "south", "north", "west", "central"]);
        var registered = Start.AddDays(-random.Next(200, 4000));
        var declaredAssets = assets > 0 ? assets : (long)(random.Next(50, 3000) * 1_000_000L * (0.5 + health));
        feeds.Companies.Add(new Company(id, $"Company {id}", sector, region, group, specialised, exporter || archetype == Archetype.Exporter, declaredAssets, registered));
        truth[id] = new CompanyTruth(archetype, health);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private string NextId(string prefix) => $"{prefix}{++sequence:D8}";

    private double LogNormal(double sigma) => Math.Exp(sigma * Gaussian());

    private double Gaussian()
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static long Money(double minor) => checked((long)Math.Round(Math.Max(0, minor)));

    private void AddInvoice(string seller, string buyer, DateOnly date, long amount, double vatRate = 0.13) =>
        feeds.Invoices.Add(new Invoice(NextId("INV"), seller, buyer, date, amount, Money(amount * vatRate)));
}
