namespace Banyan.Credit.Portraits;

/// <summary>Hidden facts of a generated farmer: productivity in [0,1] and the yield shock of the current season (1 = none).</summary>
internal readonly record struct FarmerTruth(double Productivity, double SeasonShock);

/// <summary>
/// Seeded farm-feed generator (decision 0354): two seasons of NDVI (every 8 days, 25% lost to cloud),
/// weekly humidity and sunshine, harvest sales and machinery. Each region-season may suffer a drought
/// (lower NDVI and humidity for everyone there); each farmer may suffer a local shock (pests, flood).
/// </summary>
internal sealed class FarmGenerator
{
    private static readonly (string Name, double Peak, double Humidity)[] Regions = [("north", 0.74, 62), ("plain", 0.70, 58), ("dry-west", 0.58, 46)];
    private static readonly (string Name, int PeakDay)[] Crops = [("wheat", 130), ("maize", 210), ("rice", 220)];

    private readonly Random random;
    private readonly FarmFeeds feeds = new();
    private readonly Dictionary<string, FarmerTruth> truth = new(StringComparer.Ordinal);
    private readonly DateOnly asOf;
    private int sequence;

    private FarmGenerator(int seed, DateOnly asOf)
    {
        random = new Random(seed);
        this.asOf = asOf;
    }

    public static DateOnly DefaultAsOf => new(2026, 11, 1);

    public static (FarmFeeds Feeds, IReadOnlyDictionary<string, FarmerTruth> Truth) Generate(int seed, int farmers, DateOnly? asOf = null)
    {
        if (farmers is < 1 or > 50_000) throw new ArgumentOutOfRangeException(nameof(farmers), "farmers must be 1..50000");
        var g = new FarmGenerator(seed, asOf ?? DefaultAsOf);
        var seasons = new[] { g.asOf.Year - 1, g.asOf.Year };
        // Region-season drought: NDVI amplitude factor (1 = normal year).
        var drought = Regions.SelectMany(r => seasons.Select(y => (r.Name, y))).ToDictionary(k => k, _ => g.random.NextDouble() < 0.3 ? 0.7 + (0.15 * g.random.NextDouble()) : 1.0);
        for (var i = 0; i < farmers; i++) g.Farm($"FARM{i + 1:D5}", seasons, drought);
        g.feeds.Validate();
        return (g.feeds, g.truth);
    }

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private void Farm(string id, int[] seasons, Dictionary<(string, int), double> drought)
    {
        var region = Regions[random.Next(Regions.Length)];
        var crop = Crops[random.Next(Crops.Length)];
        var area = Math.Round(Math.Clamp(20 * Math.Exp(0.7 * Gaussian()), 2, 400), 1);
        var p = random.NextDouble();
        feeds.Farmers.Add(new Farmer(id, region.Name, crop.Name, area));
        var shock = 1.0;
        foreach (var year in seasons)
        {
            var local = random.NextDouble() < 0.15 ? 0.55 + (0.25 * random.NextDouble()) : 1.0;
            shock = drought[(region.Name, year)] * local;
            var amplitude = region.Peak * (0.75 + (0.35 * p)) * shock;
            Season(id, year, crop.PeakDay, amplitude, region.Humidity * (drought[(region.Name, year)] < 1 ? 0.75 : 1));
            Harvest(id, year, crop.PeakDay, area, amplitude, p);
        }
        Machinery(id, area, p);
        truth[id] = new FarmerTruth(p, shock);
    }

    private void Season(string id, int year, int peakDay, double amplitude, double humidity)
    {
        var start = new DateOnly(year, 1, 1);
        for (var d = 0; d < 365; d += 8)
        {
            var date = start.AddDays(d);
            if (date >= asOf || random.NextDouble() < 0.25) continue;
            var shape = Math.Exp(-Math.Pow((d - peakDay) / 45.0, 2));
            var ndvi = Math.Clamp(0.15 + ((amplitude - 0.15) * shape) + (0.025 * Gaussian()), -1, 1);
            feeds.Ndvi.Add(new NdviObservation(id, date, Math.Round(ndvi, 4)));
        }
        for (var d = 0; d < 365; d += 7)
        {
            var date = start.AddDays(d);
            if (date >= asOf) continue;
            var light = 7 + (3.5 * Math.Sin(2 * Math.PI * (d - 80) / 365)) + (1.2 * Gaussian());
            feeds.Weather.Add(new WeatherReading(id, date, Math.Round(Math.Clamp(humidity + (8 * Gaussian()), 5, 100), 1), Math.Round(Math.Clamp(light, 0, 24), 2)));
        }
    }

    private void Harvest(string id, int year, int peakDay, double area, double amplitude, double p)
    {
        var yield = Math.Max(0, (amplitude - 0.15) / 0.55);
        var total = area * yield * 800_000 * Math.Exp(0.1 * Gaussian());
        var n = random.Next(1, 4);
        for (var k = 0; k < n; k++)
        {
            var date = new DateOnly(year, 1, 1).AddDays(peakDay + random.Next(60, 90));
            if (date >= asOf) continue;
            var buyer = p > 0.5 && random.NextDouble() < 0.6 ? "COOP-" + random.Next(1, 6) : "TRADER-" + random.Next(1, 40);
            feeds.Sales.Add(new FarmSale($"FS{++sequence:D8}", id, date, buyer, checked((long)Math.Round(total / n))));
        }
    }

    private void Machinery(string id, double area, double p)
    {
        var count = random.Next(0, 2) + (p > 0.5 ? random.Next(1, 3) : 0);
        for (var k = 0; k < count; k++)
        {
            var kind = new[] { "tractor", "harvester", "seeder", "sprayer", "irrigation" }[random.Next(5)];
            var value = checked((long)Math.Round(random.Next(5_000_000, 40_000_000) * Math.Sqrt(area / 20)));
            feeds.Machinery.Add(new Machine(id, kind, asOf.AddDays(-random.Next(365, 15 * 365)), value));
        }
    }
}
