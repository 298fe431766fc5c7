namespace Banyan.Credit.Portraits;

/// <summary>A farm: region and crop define its regional baseline; area in hectares.</summary>
internal sealed record Farmer(string Id, string Region, string Crop, double AreaHa);

/// <summary>A satellite vegetation-index observation of a farmer's fields (NDVI in −1..1; cloudy passes are simply absent).</summary>
internal sealed record NdviObservation(string Farmer, DateOnly Date, double Ndvi);

/// <summary>A daily weather reading at the farm: relative humidity (%) and sunshine hours.</summary>
internal sealed record WeatherReading(string Farmer, DateOnly Date, double HumidityPct, double LightHours);

/// <summary>A sale of produce.</summary>
internal sealed record FarmSale(string Id, string Farmer, DateOnly Date, string Buyer, long AmountMinor);

/// <summary>A machine the farmer owns.</summary>
internal sealed record Machine(string Farmer, string Kind, DateOnly Acquired, long ValueMinor);

/// <summary>The farm feeds (JSONL, snake_case): farmers, ndvi, weather, farm_sales, machinery.</summary>
internal sealed class FarmFeeds
{
    public static readonly IReadOnlyList<string> FileNames = ["farmers.jsonl", "ndvi.jsonl", "weather.jsonl", "farm_sales.jsonl", "machinery.jsonl"];

    public List<Farmer> Farmers { get; init; } = [];
    public List<NdviObservation> Ndvi { get; init; } = [];
    public List<WeatherReading> Weather { get; init; } = [];
    public List<FarmSale> Sales { get; init; } = [];
    public List<Machine> Machinery { get; init; } = [];

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        Feeds.WriteFile(directory, "farmers.jsonl", Farmers);
        Feeds.WriteFile(directory, "ndvi.jsonl", Ndvi);
        Feeds.WriteFile(directory, "weather.jsonl", Weather);
        Feeds.WriteFile(directory, "farm_sales.jsonl", Sales);
        Feeds.WriteFile(directory, "machinery.jsonl", Machinery);
    }

    public static FarmFeeds Read(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"farm feeds directory '{directory}' does not exist");
        var feeds = new FarmFeeds
        {
            Farmers = Feeds.ReadFile<Farmer>(directory, "farmers.jsonl", required: true),
            Ndvi = Feeds.ReadFile<NdviObservation>(directory, "ndvi.jsonl", required: true),
            Weather = Feeds.ReadFile<WeatherReading>(directory, "weather.jsonl", required: true),
            Sales = Feeds.ReadFile<FarmSale>(directory, "farm_sales.jsonl", required: true),
            Machinery = Feeds.ReadFile<Machine>(directory, "machinery.jsonl", required: true),
        };
        feeds.Validate();
        return feeds;
    }

    public void Validate()
    {
        if (Farmers.Select(f => f.Id).Distinct(StringComparer.Ordinal).Count() != Farmers.Count) throw new InvalidDataException("farmers.jsonl: duplicate id");
        if (Farmers.Any(f => !(f.AreaHa is > 0 and < 1_000_000))) throw new InvalidDataException("farmers.jsonl: area_ha must be in (0, 1e6)");
        if (Ndvi.Any(n => !(n.Ndvi is >= -1 and <= 1))) throw new InvalidDataException("ndvi.jsonl: ndvi outside −1..1");
        if (Weather.Any(w => !(w.HumidityPct is >= 0 and <= 100) || !(w.LightHours is >= 0 and <= 24))) throw new InvalidDataException("weather.jsonl: humidity or light out of range");
        if (Sales.Any(s => s.AmountMinor < 0) || Machinery.Any(m => m.ValueMinor < 0)) throw new InvalidDataException("farm feeds: negative amount");
    }
}
