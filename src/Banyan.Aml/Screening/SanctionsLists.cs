using System.Security.Cryptography;
using System.Text;
using Banyan.Aml.Contracts;
using Banyan.Aml.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Banyan.Aml.Screening;

/// <summary>One loaded list version: immutable, so readers never see a half-built matcher.</summary>
internal sealed record SanctionsListVersion(long Version, SanctionsMatcher Matcher, int Entries, string Sha256, long UploadedAtUnixMs);

/// <summary>
/// The sanctions list in force (decision 0409). A new upload is parsed and indexed completely, stored, and then swapped
/// in with one reference write; screening and the live rules read <see cref="Current"/> on every use.
/// </summary>
internal sealed class SanctionsLists : ISanctionsScreening, IDisposable
{
    public const int MaxNameChars = 200;
    private readonly SemaphoreSlim _uploads = new(1, 1);
    private SanctionsListVersion? _current;

    public SanctionsListVersion? Current => Volatile.Read(ref _current);

    public double Threshold { get; init; } = new AmlConfig().SanctionsThreshold;

    /// <summary>Loads the newest stored list if it is newer than the one in memory (start-up, monitor rebuilds).</summary>
    public async Task LoadNewestAsync(DbContext db, CancellationToken ct)
    {
        var newest = await db.Set<SanctionsListRow>().AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        if (newest is null || (Current?.Version ?? 0) >= newest.Id) return;
        var (entries, errors) = Parse(newest.Csv);
        if (errors.Count > 0) throw new FormatException($"stored sanctions list {newest.Id} does not parse: {errors.First().Value[0]}");
        Swap(new SanctionsListVersion(newest.Id, new SanctionsMatcher(entries, Threshold), entries.Count, newest.Sha256, newest.UploadedAtUnixMs));
    }

    /// <summary>Validates, stores and swaps in a new list; all or nothing. Returns the new version, or the line errors.</summary>
    public async Task<(SanctionsListVersion? Version, Dictionary<string, string[]> Errors)> UploadAsync(DbContext db, string csv, string by, long now, CancellationToken ct)
    {
        var (entries, errors) = Parse(csv);
        if (errors.Count > 0) return (null, errors);
        var matcher = new SanctionsMatcher(entries, Threshold);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(csv)));
        await _uploads.WaitAsync(ct);
        try
        {
            var row = new SanctionsListRow { Csv = csv, Sha256 = sha, Entries = entries.Count, Names = matcher.Count, UploadedAtUnixMs = now, UploadedBy = by };
            db.Add(row);
            await db.SaveChangesAsync(ct);
            var version = new SanctionsListVersion(row.Id, matcher, entries.Count, sha, now);
            Swap(version);
            return (version, errors);
        }
        finally
        {
            _uploads.Release();
        }
    }

    private void Swap(SanctionsListVersion version)
    {
        // Never go back to an older version (two loaders racing).
        var current = Current;
        while ((current?.Version ?? 0) < version.Version)
        {
            var seen = Interlocked.CompareExchange(ref _current, version, current);
            if (ReferenceEquals(seen, current)) return;
            current = seen;
        }
    }

    /// <summary>Parses list.csv text; every bad line is an error keyed <c>lines[N]</c>.</summary>
    internal static (List<SanctionsEntry> Entries, Dictionary<string, string[]> Errors) Parse(string csv)
    {
        var entries = new List<SanctionsEntry>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in csv.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = SanctionsReader.SplitCsv(line);
            if (number == 1 && fields is { Count: > 0 } && fields[0].Trim().Equals("name", StringComparison.OrdinalIgnoreCase)) continue;
            if (fields is null || fields.Count is < 1 or > 4 || string.IsNullOrWhiteSpace(fields[0]) || fields[0].Trim().Length > MaxNameChars
                || SanctionsMatcher.Tokens(fields[0]).Length == 0)
            {
                if (errors.Count < 50) errors[$"lines[{number}]"] = ["expected name,aliases,country,list with a name of 1..200 characters that has a letter or digit"];
                continue;
            }
            var aliases = fields.Count > 1 ? fields[1].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            entries.Add(new SanctionsEntry(fields[0].Trim(), aliases, fields.Count > 2 ? fields[2].Trim() : "", fields.Count > 3 ? fields[3].Trim() : ""));
        }
        if (entries.Count == 0 && errors.Count == 0) errors["body"] = ["no entries: send list.csv (name,aliases,country,list)"];
        return (entries, errors);
    }

    public ValueTask<ScreeningResult> ScreenAsync(ScreeningRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameChars)
            throw new ArgumentException($"name must be 1..{MaxNameChars} characters", nameof(request));
        var list = Current ?? throw new InvalidOperationException("no sanctions list is loaded: upload one with POST /v1/aml/sanctions");
        if (list.Matcher.Match(request.Name) is not { } hit)
            return ValueTask.FromResult(new ScreeningResult(false, 0, null, null, null, null, null, list.Version, Threshold));
        bool? sameCountry = string.IsNullOrEmpty(request.Country) || string.IsNullOrEmpty(hit.Entry.Country)
            ? null : string.Equals(request.Country, hit.Entry.Country, StringComparison.OrdinalIgnoreCase);
        return ValueTask.FromResult(new ScreeningResult(true, Math.Round(hit.Similarity, 4), hit.MatchedName, hit.Entry.Name,
            NullIfEmpty(hit.Entry.List), NullIfEmpty(hit.Entry.Country), sameCountry, list.Version, Threshold));
    }

    public void Dispose() => _uploads.Dispose();

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}

/// <summary>Loads the newest stored sanctions list while the host starts, so screening works before the first upload of this run.</summary>
internal sealed class SanctionsStartup(IServiceScopeFactory scopes, SanctionsLists lists) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await lists.LoadNewestAsync(scope.ServiceProvider.GetRequiredService<DbContext>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
