using System.Globalization;
using System.Text.Json;
using Banyan.Platform.Money;
using Microsoft.Extensions.Options;

namespace Banyan.Payments.CrossBorder;

/// <summary>One immutable set of mid rates: units of each currency per one unit of the base currency, exact decimals.</summary>
internal sealed class FxRates
{
    public const int MaxFileBytes = 64 * 1024;

    private readonly Dictionary<string, Rational> _perBase;

    private FxRates(string source, string baseCurrency, DateTimeOffset? asOf, bool illustrative, Dictionary<string, Rational> perBase)
    {
        (Source, Base, AsOf, Illustrative, _perBase) = (source, baseCurrency, asOf, illustrative, perBase);
    }

    public string Source { get; }

    public string Base { get; }

    public DateTimeOffset? AsOf { get; }

    public bool Illustrative { get; }

    public Rational PerBase(Currency c) =>
        _perBase.TryGetValue(c.Code, out var r) ? r : throw new InvalidOperationException($"The rates source '{Source}' has no rate for {c.Code}.");

    /// <summary>Parses a JSON (<c>{"base","as_of","rates":{"EUR":"0.86",…}}</c>) or CSV (<c>currency,rate</c> lines, base USD) rates file.</summary>
    /// <exception cref="FormatException">The content is not a complete, positive rate set for the twelve currencies.</exception>
    public static FxRates Parse(string source, string text, bool csv)
    {
        if (text.Length > MaxFileBytes)
        {
            throw new FormatException($"Rates file '{source}' is larger than {MaxFileBytes} bytes.");
        }

        var (baseCode, asOf, illustrative, values) = csv ? ParseCsv(text) : ParseJson(text);
        var rates = new Dictionary<string, Rational>(StringComparer.Ordinal);
        foreach (var (code, value) in values)
        {
            if (!Currencies.TryGet(code, out var c) || value <= 0 || !rates.TryAdd(c.Code, Rational.Of(value)))
            {
                throw new FormatException($"Rates file '{source}': '{code}' is unknown, repeated or not positive.");
            }
        }

        var missing = Currencies.All.Where(c => !rates.ContainsKey(c.Code)).Select(c => c.Code).ToList();
        if (missing.Count > 0 || !rates.TryGetValue(baseCode, out var one) || one != Rational.Whole(1))
        {
            throw new FormatException($"Rates file '{source}' must give all twelve currencies and 1 for its base {baseCode} (missing: {string.Join(", ", missing)}).");
        }

        return new FxRates(source, baseCode, asOf, illustrative, rates);
    }

    private static (string, DateTimeOffset?, bool, List<(string, decimal)>) ParseJson(string text)
    {
        using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        var root = doc.RootElement;
        var baseCode = root.TryGetProperty("base", out var b) ? b.GetString() ?? "" : "USD";
        DateTimeOffset? asOf = root.TryGetProperty("as_of", out var a) && a.ValueKind == JsonValueKind.String ? a.GetDateTimeOffset() : null;
        var illustrative = root.TryGetProperty("illustrative", out var i) && i.ValueKind == JsonValueKind.True;
        var values = new List<(string, decimal)>();
        foreach (var p in root.GetProperty("rates").EnumerateObject())
        {
            // Strings keep the exact decimal text; JSON numbers are read as decimal too (never double).
            var value = p.Value.ValueKind == JsonValueKind.String
                ? decimal.Parse(p.Value.GetString()!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)
                : p.Value.GetDecimal();
            values.Add((p.Name, value));
        }

        return (baseCode, asOf, illustrative, values);
    }

    private static (string, DateTimeOffset?, bool, List<(string, decimal)>) ParseCsv(string text)
    {
        var values = new List<(string, decimal)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("currency", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 2)
            {
                throw new FormatException($"Rates CSV line '{line}' is not 'currency,rate'.");
            }

            values.Add((parts[0].Trim(), decimal.Parse(parts[1].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)));
        }

        return ("USD", null, false, values);
    }
}

/// <summary>
/// The current rates: the configured file (re-read when its size or write time changes, checked at most once
/// a second) or the embedded illustrative set. A file that fails to parse keeps the last good rates and the
/// error is reported by <see cref="LastError"/>; at start-up a bad file is fatal.
/// </summary>
internal sealed class FxRateSource
{
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private FxRates _current;
    private (long Length, DateTime Written) _stamp;
    private long _checkedAtMs;

    public FxRateSource(IOptions<CrossBorderOptions> options, CrossBorderClock clock)
    {
        _path = string.IsNullOrWhiteSpace(options.Value.RatesFile) ? null : Path.GetFullPath(options.Value.RatesFile);
        _time = clock.Time;
        _current = _path is null ? Embedded() : Load(_path, out _stamp);
    }

    public string? LastError { get; private set; }

    public FxRates Current
    {
        get
        {
            if (_path is null)
            {
                return _current;
            }

            lock (_gate)
            {
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (now - _checkedAtMs >= 1_000 || now < _checkedAtMs)
                {
                    _checkedAtMs = now;
                    Reload(_path);
                }

                return _current;
            }
        }
    }

    public static FxRates Embedded()
    {
        using var stream = typeof(FxRateSource).Assembly.GetManifestResourceStream("Banyan.Payments.CrossBorder.Data.fx-rates.json")
            ?? throw new InvalidOperationException("The embedded rates file is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return FxRates.Parse("embedded illustrative rates", reader.ReadToEnd(), csv: false);
    }

    private void Reload(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || (info.Length, info.LastWriteTimeUtc) == _stamp)
        {
            return;
        }

        try
        {
            _current = Load(path, out _stamp);
            LastError = null;
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            LastError = $"{path}: {e.Message}";
        }
    }

    private static FxRates Load(string path, out (long, DateTime) stamp)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > FxRates.MaxFileBytes)
        {
            throw new InvalidOperationException($"Rates file '{path}' is missing or larger than {FxRates.MaxFileBytes} bytes.");
        }

        stamp = (info.Length, info.LastWriteTimeUtc);
        var csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        return FxRates.Parse(path, File.ReadAllText(path), csv);
    }
}

/// <summary>The clock of cross-border payments (quote expiry, timelines); a seam so tests can move time.</summary>
internal sealed record CrossBorderClock(TimeProvider Time);
