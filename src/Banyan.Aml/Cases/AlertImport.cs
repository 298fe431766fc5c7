using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Banyan.Aml.Cases;

/// <summary>One validated alerts.jsonl line.</summary>
internal sealed record ImportedAlert(string AlertId, string Typology, string? SubjectAccount, string? CustomerId, string[] TransactionIds, double Score, string Reason)
{
    /// <summary>The party the case is kept for: the customer when known, else the subject account.</summary>
    public string Party => CustomerId is not null ? "customer:" + CustomerId : "account:" + SubjectAccount;

    public string Fingerprint()
    {
        var text = string.Join('\u001f', [Typology, SubjectAccount ?? "", CustomerId ?? "", .. TransactionIds]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>
/// Parses the body of <c>POST /v1/aml/alerts/import</c>: the exact lines <c>banyan aml scan</c> writes.
/// All or nothing: any invalid line rejects the whole body, with errors keyed <c>lines[N].field</c> (1-based).
/// </summary>
internal static class AlertImport
{
    public const int MaxLines = 50_000;
    public const long MaxBodyBytes = 32L * 1024 * 1024;
    private const int MaxErrors = 50;

    public static (List<ImportedAlert> Alerts, Dictionary<string, string[]> Errors) Parse(string body)
    {
        var alerts = new List<ImportedAlert>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in body.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (alerts.Count + errors.Count >= MaxLines)
            {
                errors["lines"] = [$"at most {MaxLines} alerts per import"];
                break;
            }
            var (alert, field, why) = ParseLine(line);
            if (alert is not null) alerts.Add(alert);
            else if (errors.Count < MaxErrors) errors[$"lines[{lineNumber}]{field}"] = [why!];
        }
        if (alerts.Count == 0 && errors.Count == 0) errors["body"] = ["no alert lines; send alerts.jsonl as written by banyan aml scan"];
        return (alerts, errors);
    }

    private static (ImportedAlert?, string?, string?) ParseLine(string line)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException) { return (null, "", "not valid JSON"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "", "must be a JSON object");
            if (Text(root, "alert_id", CaseLimits.Id, required: true, out var id) is { } e1) return (null, ".alert_id", e1);
            if (Text(root, "typology", CaseLimits.Typology, required: true, out var typology) is { } e2) return (null, ".typology", e2);
            if (Text(root, "subject_account", CaseLimits.Id, required: false, out var subject) is { } e3) return (null, ".subject_account", e3);
            if (Text(root, "customer_id", CaseLimits.Id, required: false, out var customer) is { } e4) return (null, ".customer_id", e4);
            if (Text(root, "reason", CaseLimits.Reason, required: true, out var reason) is { } e5) return (null, ".reason", e5);
            if (subject is null && customer is null) return (null, ".subject_account", "an alert needs a subject_account or a customer_id");
            if (!root.TryGetProperty("score", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetDouble(out var score) || !(score is >= 0 and <= 1))
                return (null, ".score", "must be a number from 0 to 1");
            if (Transactions(root, out var transactions) is { } e6) return (null, ".transaction_ids", e6);
            return (new ImportedAlert(id!, typology!, subject, customer, transactions, score, reason!), null, null);
        }
    }

    private static string? Text(JsonElement root, string name, int max, bool required, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            return required ? "is required" : null;
        if (p.ValueKind != JsonValueKind.String) return "must be a string";
        value = p.GetString()!;
        if (value.Length == 0 || value.Length > max) return $"must be 1..{max} characters";
        return null;
    }

    private static string? Transactions(JsonElement root, out string[] ids)
    {
        ids = [];
        if (!root.TryGetProperty("transaction_ids", out var p) || p.ValueKind != JsonValueKind.Array) return "must be an array of strings";
        if (p.GetArrayLength() > CaseLimits.TransactionsPerAlert) return $"at most {CaseLimits.TransactionsPerAlert} transaction ids";
        var list = new List<string>(p.GetArrayLength());
        foreach (var item in p.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= CaseLimits.Id } t) return "must be an array of non-empty strings";
            list.Add(t);
        }
        ids = [.. list];
        return null;
    }
}
