using System.Text.Json;

namespace Banyan.Aml;

/// <summary>
/// Turns rule triggers into alerts: one per (typology, subject) per episode. A trigger within the
/// typology's episode gap of the previous trigger extends the open alert (more transaction ids, highest
/// score) instead of raising a new one, so a burst is one alert and not a flood.
/// </summary>
internal sealed class AlertSink
{
    private readonly Dictionary<(string, int), Alert> _open = [];

    public List<Alert> All { get; } = [];

    /// <summary>When set (the live path), every raised or extended alert is added here until the caller drains it.</summary>
    public HashSet<Alert>? Changed { get; init; }

    /// <summary>False on the live path: alerts leave through <see cref="Changed"/>, so nothing grows with history.</summary>
    public bool KeepAll { get; init; } = true;

    public void Raise(string typology, int subject, long ticks, long episodeGapTicks, double score, Func<string> reason, IEnumerable<int> seqs)
    {
        score = Math.Clamp(score, 0.0, 1.0);
        if (_open.TryGetValue((typology, subject), out var open) && ticks - open.LastTriggerTicks <= episodeGapTicks)
        {
            open.AddTransactions(seqs);
            open.Extensions++;
            open.LastTriggerTicks = ticks;
            open.Score = Math.Max(open.Score, score);
            Changed?.Add(open);
            return;
        }
        var alert = new Alert { Typology = typology, Subject = subject, Reason = reason(), Score = score, FirstTicks = ticks, LastTriggerTicks = ticks };
        alert.AddTransactions(seqs);
        _open[(typology, subject)] = alert;
        if (KeepAll) All.Add(alert);
        Changed?.Add(alert);
    }

    /// <summary>Writes alerts.jsonl in the order the episodes started; ids are stable for the same input.</summary>
    public static void Write(string path, IEnumerable<Alert> alerts, Bank bank)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = false });
        var number = 0;
        foreach (var alert in alerts)
        {
            number++;
            writer.WriteStartObject();
            writer.WriteString("alert_id"u8, $"ALR-{number:D8}");
            writer.WriteString("typology"u8, alert.Typology);
            var account = alert.Subject >= 0 ? bank.Accounts[alert.Subject] : null;
            if (account is null) writer.WriteNull("subject_account"u8);
            else writer.WriteString("subject_account"u8, account.Id);
            if (account?.Customer is { } customer) writer.WriteString("customer_id"u8, customer.Id);
            writer.WriteStartArray("transaction_ids"u8);
            foreach (var seq in alert.TransactionSeqs) writer.WriteStringValue(bank.TransactionIds[seq]);
            writer.WriteEndArray();
            writer.WriteNumber("score"u8, Math.Round(alert.Score, 3));
            writer.WriteString("reason"u8, FullReason(alert));
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    }

    /// <summary>Forgets open episodes whose last trigger is more than <paramref name="olderThanTicks"/> before <paramref name="now"/> (the live path's memory bound: longer than every episode gap).</summary>
    public void Forget(long now, long olderThanTicks)
    {
        foreach (var (key, alert) in _open.ToList())
            if (now - alert.LastTriggerTicks > olderThanTicks) _open.Remove(key);
    }

    public int OpenEpisodes => _open.Count;

    internal static string FullReason(Alert alert) =>
        alert.Extensions == 0
            ? alert.Reason
            : $"{alert.Reason} The episode continued with {alert.Extensions} further trigger(s) until {Ticks.Iso(alert.LastTriggerTicks)}.";
}
