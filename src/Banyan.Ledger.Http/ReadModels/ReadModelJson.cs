using System.Globalization;
using System.Text.Json;
using Banyan.Ledger.Http.Api;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>snake_case bodies of the read endpoints; 64/128-bit numbers as decimal strings.</summary>
internal static class ReadModelJson
{
    public static void WriteTransfers(Utf8JsonWriter w, Transfer[] page, int limit, ulong projected)
    {
        w.WriteStartObject();
        w.WriteStartArray("transfers"u8);
        foreach (var t in page) JsonEncoder.WriteTransfer(w, t);
        w.WriteEndArray();
        WriteCursor(w, page.Length == limit ? page[^1].Timestamp : null, projected);
        w.WriteEndObject();
    }

    public static void WriteAccounts(Utf8JsonWriter w, Account[] accounts, int limit, ulong projected)
    {
        w.WriteStartObject();
        w.WriteStartArray("accounts"u8);
        foreach (var a in accounts) JsonEncoder.WriteAccount(w, a);
        w.WriteEndArray();
        WriteCursor(w, accounts.Length == limit ? accounts.Max(a => a.Timestamp) : null, projected);
        w.WriteEndObject();
    }

    public static void WriteBalances(Utf8JsonWriter w, UInt128 account, long? at, Balances b, List<(ulong Timestamp, Balances Balances)>? history, ulong projected)
    {
        w.WriteStartObject();
        w.WriteString("account_id"u8, account.ToString(CultureInfo.InvariantCulture));
        if (at is { } value) w.WriteString("at"u8, value.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("at"u8);
        WriteFour(w, b);
        if (history is not null)
        {
            w.WriteStartArray("history"u8);
            foreach (var (timestamp, h) in history)
            {
                w.WriteStartObject();
                w.WriteString("timestamp"u8, timestamp.ToString(CultureInfo.InvariantCulture));
                WriteFour(w, h);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteString("projected_sequence"u8, projected.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private static void WriteFour(Utf8JsonWriter w, Balances b)
    {
        w.WriteString("debits_pending"u8, b.DebitsPending.ToString(CultureInfo.InvariantCulture));
        w.WriteString("debits_posted"u8, b.DebitsPosted.ToString(CultureInfo.InvariantCulture));
        w.WriteString("credits_pending"u8, b.CreditsPending.ToString(CultureInfo.InvariantCulture));
        w.WriteString("credits_posted"u8, b.CreditsPosted.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteCursor(Utf8JsonWriter w, ulong? next, ulong projected)
    {
        if (next is { } n) w.WriteString("next_after"u8, n.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("next_after"u8);
        w.WriteString("projected_sequence"u8, projected.ToString(CultureInfo.InvariantCulture));
    }
}
