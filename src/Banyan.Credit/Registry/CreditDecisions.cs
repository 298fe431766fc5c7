using System.Globalization;
using System.Text.Json;
using Banyan.Credit.Data;
using Banyan.Credit.Explain;
using Banyan.Credit.Fairness;
using Banyan.Credit.Model;

namespace Banyan.Credit.Registry;

/// <summary>A stored decision: what was decided, by which model version, on which inputs, and why.</summary>
internal sealed record DecisionRecord(
    string Id,
    string ModelVersion,
    DateTimeOffset CreatedAt,
    string Decision,
    double ProbabilityBad,
    double Threshold,
    double Margin,
    double BaseValue,
    long? AmountRequested,
    long? Limit,
    int? PriceBps,
    IReadOnlyDictionary<string, string?> Inputs,
    IReadOnlyDictionary<string, double> Contributions,
    IReadOnlyList<Reason> Reasons);

/// <summary>Raised for an application the API must reject with 400; nothing is stored.</summary>
internal sealed class InvalidApplicationException(string message) : Exception(message);

/// <summary>
/// Scores applications with an approved registry model and stores every decision as
/// <c>decisions/&lt;id&gt;.json</c>. Decisions: approve when P(bad) is below the applicant's cut-off by
/// more than <see cref="ReferBand"/>, decline when above by more, refer to an underwriter in between.
/// </summary>
internal sealed class CreditDecisions(ModelRegistry registry, string directory, TimeProvider time, CreditPolicy policy) : Contracts.ICreditDecisions
{
    /// <summary>Half-width of the manual-review band around the cut-off, in probability.</summary>
    public const double ReferBand = 0.02;
    public const int MaxInputs = 1_000;
    public const int MaxValueLength = 1_000;

    public DecisionRecord Decide(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new InvalidApplicationException("the body must be a JSON object");
        string? version = null;
        if (body.TryGetProperty("model_version", out var v) && v.ValueKind != JsonValueKind.Null)
            version = v.ValueKind == JsonValueKind.String ? v.GetString() : throw new InvalidApplicationException("model_version must be a string");
        var language = body.TryGetProperty("language", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : "en";
        if (!Explain.Reasons.Languages.Contains(language)) throw new InvalidApplicationException("language must be en or zh-CN");
        if (!body.TryGetProperty("applicant", out var applicant) || applicant.ValueKind != JsonValueKind.Object)
            throw new InvalidApplicationException("applicant must be a JSON object of input values");
        var amount = Amount(body);
        var (entry, model) = registry.ForScoring(version);
        var inputs = Inputs(applicant, model);
        return Store(Score(entry, model, inputs, language, amount));
    }

    public DecisionRecord? Get(string id)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower)) return null;
        var path = Path.Combine(directory, id + ".json");
        return File.Exists(path) ? JsonSerializer.Deserialize<DecisionRecord>(File.ReadAllText(path), RegistryJson.Options) : null;
    }

    /// <inheritdoc />
    public Contracts.CreditDecisionSummary? Find(string applicationId) =>
        applicationId is null || Get(applicationId) is not { } r ? null
            : new Contracts.CreditDecisionSummary(r.Id, r.Decision, r.Limit, r.PriceBps, r.ModelVersion, r.CreatedAt);

    /// <summary>Optional <c>amount_requested</c>: a positive integer of minor units.</summary>
    private static long? Amount(JsonElement body)
    {
        if (!body.TryGetProperty("amount_requested", out var a) || a.ValueKind == JsonValueKind.Null) return null;
        if (a.ValueKind != JsonValueKind.Number || !a.TryGetInt64(out var amount) || amount is < 1 or > CreditPolicy.MaxAmountMinor)
            throw new InvalidApplicationException($"amount_requested must be an integer number of minor units in 1..{CreditPolicy.MaxAmountMinor}");
        return amount;
    }

    private static Dictionary<string, string?> Inputs(JsonElement applicant, CreditModel model)
    {
        var allowed = model.Schema.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (model.Protected is { } p) allowed.Add(p.Column);
        var inputs = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in applicant.EnumerateObject())
        {
            if (inputs.Count >= MaxInputs) throw new InvalidApplicationException($"at most {MaxInputs} inputs");
            if (!allowed.Contains(property.Name)) throw new InvalidApplicationException($"'{property.Name}' is not an input of the model (inputs: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})");
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                JsonValueKind.Null => null,
                _ => throw new InvalidApplicationException($"'{property.Name}' must be a string, a number or null"),
            };
            if (value is { Length: > MaxValueLength }) throw new InvalidApplicationException($"'{property.Name}' is longer than {MaxValueLength} characters");
            if (!inputs.TryAdd(property.Name, value is null ? null : Table.Clean(value))) throw new InvalidApplicationException($"'{property.Name}' is given twice");
        }
        return inputs;
    }

    private DecisionRecord Score(RegistryEntry entry, CreditModel model, Dictionary<string, string?> inputs, string language, long? amount)
    {
        var x = model.Schema.Features.Select(f => f.Encode(inputs.GetValueOrDefault(f.Name))).ToArray();
        var group = model.Protected is { } p ? p.Classify(inputs.GetValueOrDefault(p.Column)) : ProtectedGroup.UnknownGroup;
        var explainer = model.CreateExplainer();
        var phi = new double[model.Schema.Count];
        var margin = explainer.Explain(x, phi);
        var contributions = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var f = 0; f < phi.Length; f++) contributions[model.Schema.Features[f].Name] = phi[f];
        var probability = model.Calibration.Probability(margin);
        var threshold = model.Threshold(group);
        var decision = probability < threshold - ReferBand ? "approve" : probability >= threshold + ReferBand ? "decline" : "refer";
        var reasons = Explain.Reasons.Top(contributions, f => inputs.GetValueOrDefault(f), language, 3);
        var (limit, price) = policy.Offer(decision, probability, amount);
        return new DecisionRecord(Guid.NewGuid().ToString("N"), entry.Version, time.GetUtcNow(), decision, probability, threshold,
            margin, explainer.BaseValue, amount, limit, price, inputs, contributions, reasons);
    }

    private DecisionRecord Store(DecisionRecord record)
    {
        Directory.CreateDirectory(directory);
        ModelRegistry.WriteAtomically(Path.Combine(directory, record.Id + ".json"), JsonSerializer.Serialize(record, RegistryJson.Options));
        return record;
    }
}
