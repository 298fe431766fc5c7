using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Banyan.Credit.Model;

namespace Banyan.Credit.Registry;

/// <summary>Lifecycle of a registered model version. Only <see cref="Approved"/> versions score.</summary>
internal enum ModelStatus
{
    Draft,
    Approved,
    Retired,
}

/// <summary>One registered model version and its audit trail.</summary>
internal sealed record RegistryEntry(
    string Version,
    ModelStatus Status,
    string ModelSha256,
    string TrainingDataSha256,
    double CvAuc,
    bool? FairnessMeetsGap,
    DateTimeOffset RegisteredAt,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    DateTimeOffset? RetiredAt = null,
    string? OverrideReason = null,
    string? RetiredBy = null);

/// <summary>Raised when a lifecycle rule forbids the operation (the API maps it to 409).</summary>
internal class RegistryException(string message) : Exception(message);

/// <summary>Approval refused because the fairness audit misses its threshold and no override reason was given.</summary>
internal sealed class FairnessGateException(string message) : RegistryException(message);

/// <summary>
/// Versioned models on disk: <c>models/&lt;version&gt;.json</c> plus an index <c>registry.json</c>,
/// both written atomically (temp file + rename) under one lock. Transitions: draft → approved →
/// retired, draft → retired. A model whose fairness audit misses its parity gap cannot be approved.
/// </summary>
internal sealed class ModelRegistry
{
    public const int MaxVersions = 10_000;

    private readonly string directory;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Dictionary<string, CreditModel> loaded = new(StringComparer.Ordinal);

    public ModelRegistry(string directory, TimeProvider time)
    {
        this.directory = directory;
        this.time = time;
        Directory.CreateDirectory(Path.Combine(directory, "models"));
    }

    private string IndexPath => Path.Combine(directory, "registry.json");

    private string ModelPath(string version) => Path.Combine(directory, "models", version + ".json");

    public IReadOnlyList<RegistryEntry> List()
    {
        lock (gate) return ReadIndex();
    }

    /// <summary>Registers a model document as a new draft version <c>v&lt;n&gt;-&lt;first 8 hex of its SHA-256&gt;</c>.</summary>
    public RegistryEntry Register(ModelDocument document)
    {
        _ = new CreditModel(document); // refuses malformed models before anything is stored
        var json = JsonSerializer.Serialize(document, ModelDocument.JsonIndented);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        lock (gate)
        {
            var index = ReadIndex();
            if (index.Count >= MaxVersions) throw new RegistryException($"registry holds {MaxVersions} versions already");
            var version = $"v{index.Count + 1}-{sha[..8]}";
            var entry = new RegistryEntry(version, ModelStatus.Draft, sha, document.TrainingDataSha256, document.Metrics.CvAuc,
                document.Fairness?.MeetsGap, time.GetUtcNow());
            WriteAtomically(ModelPath(version), json);
            WriteIndex([.. index, entry]);
            return entry;
        }
    }

    /// <summary>
    /// Approves a draft. A version whose fairness audit misses its parity gap is refused unless an
    /// <paramref name="overrideReason"/> is given; the reason is then stored with the approval (and
    /// only then: a passing model needs no override).
    /// </summary>
    public RegistryEntry Approve(string version, string approver, string? overrideReason = null)
    {
        if (string.IsNullOrWhiteSpace(approver)) throw new ArgumentException("an approver is required");
        if (overrideReason is { Length: > MaxOverrideReasonLength }) throw new ArgumentException($"an override reason has at most {MaxOverrideReasonLength} characters");
        var reason = string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim();
        return Transition(version, e => e.Status switch
        {
            ModelStatus.Draft when e.FairnessMeetsGap == false && reason is null =>
                throw new FairnessGateException($"{version} misses its parity gap and cannot be approved without an override reason"),
            ModelStatus.Draft => e with
            {
                Status = ModelStatus.Approved, ApprovedBy = approver.Trim(), ApprovedAt = time.GetUtcNow(),
                OverrideReason = e.FairnessMeetsGap == false ? reason : null,
            },
            _ => throw new RegistryException($"{version} is {e.Status.ToString().ToLowerInvariant()}; only a draft can be approved"),
        });
    }

    public const int MaxOverrideReasonLength = 1000;

    public RegistryEntry Retire(string version, string? retiredBy = null) =>
        Transition(version, e => e.Status == ModelStatus.Retired
            ? throw new RegistryException($"{version} is already retired")
            : e with { Status = ModelStatus.Retired, RetiredAt = time.GetUtcNow(), RetiredBy = retiredBy?.Trim() });

    /// <summary>A registered version's entry and its model document (metrics, fairness audit); null when unknown.</summary>
    public (RegistryEntry Entry, ModelDocument Document)? Find(string version)
    {
        if (!IsVersionName(version)) return null;
        lock (gate)
        {
            var entry = ReadIndex().FirstOrDefault(e => e.Version == version);
            if (entry is null) return null;
            var document = loaded.TryGetValue(version, out var model) ? model.Document : CreditModel.Load(ModelPath(version)).Document;
            return (entry, document);
        }
    }

    /// <summary>Version names are <c>v&lt;n&gt;-&lt;8 hex&gt;</c>; anything else never reaches the file system.</summary>
    public static bool IsVersionName(string? version) =>
        version is { Length: >= 11 and <= 20 } && version[0] == 'v' && version.IndexOf('-', StringComparison.Ordinal) is var dash and > 1
        && version[1..dash].All(char.IsAsciiDigit) && version.Length - dash - 1 == 8 && version[(dash + 1)..].All(char.IsAsciiHexDigitLower);

    /// <summary>The model to score with: the named version or, without one, the most recently approved.</summary>
    public (RegistryEntry Entry, CreditModel Model) ForScoring(string? version)
    {
        lock (gate)
        {
            var index = ReadIndex();
            var entry = version is null
                ? index.Where(e => e.Status == ModelStatus.Approved).OrderBy(e => e.ApprovedAt).LastOrDefault()
                  ?? throw new RegistryException("no approved model: approve a model version before scoring")
                : index.FirstOrDefault(e => e.Version == version) ?? throw new KeyNotFoundException($"model version '{version}' is not registered");
            if (entry.Status != ModelStatus.Approved)
                throw new RegistryException($"model version '{entry.Version}' is {entry.Status.ToString().ToLowerInvariant()}; only approved models score");
            if (!loaded.TryGetValue(entry.Version, out var model))
            {
                model = CreditModel.Load(ModelPath(entry.Version));
                loaded[entry.Version] = model;
            }
            return (entry, model);
        }
    }

    private RegistryEntry Transition(string version, Func<RegistryEntry, RegistryEntry> change)
    {
        lock (gate)
        {
            var index = ReadIndex();
            var i = index.FindIndex(e => e.Version == version);
            if (i < 0) throw new KeyNotFoundException($"model version '{version}' is not registered");
            var updated = change(index[i]);
            index[i] = updated;
            WriteIndex(index);
            return updated;
        }
    }

    private List<RegistryEntry> ReadIndex() =>
        File.Exists(IndexPath)
            ? JsonSerializer.Deserialize<List<RegistryEntry>>(File.ReadAllText(IndexPath), RegistryJson.Options) ?? []
            : [];

    private void WriteIndex(List<RegistryEntry> index) =>
        WriteAtomically(IndexPath, JsonSerializer.Serialize(index, RegistryJson.Options));

    internal static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}

internal static class RegistryJson
{
    public static readonly JsonSerializerOptions Options = new(ModelDocument.JsonIndented)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
