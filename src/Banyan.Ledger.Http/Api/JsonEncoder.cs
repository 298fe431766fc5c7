using System.Globalization;
using System.Text.Json;

namespace Banyan.Ledger.Http.Api;

/// <summary>
/// Writes ledger responses with a <see cref="Utf8JsonWriter"/>: 128-bit and 64-bit integers and
/// timestamps (ns) as decimal strings (they exceed 2^53), 32/16-bit fields as numbers, flags as
/// arrays of names.
/// </summary>
internal static class JsonEncoder
{
    private static readonly JsonEncodedText[] TransferStatus =
        [.. Enum.GetValues<CreateTransferResult>().Select(r => JsonEncodedText.Encode(r.Name()))];

    private static readonly JsonEncodedText[] AccountStatus =
        [.. Enum.GetValues<CreateAccountResult>().Select(r => JsonEncodedText.Encode(r.Name()))];

    /// <summary><c>[{"index":0,"status":"created"}, …]</c> — one entry per event, in order.</summary>
    public static void WriteResults(Utf8JsonWriter writer, ReadOnlySpan<CreateTransferResult> results)
    {
        writer.WriteStartArray();
        for (var i = 0; i < results.Length; i++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, i);
            writer.WriteString("status"u8, TransferStatus[(int)results[i]]);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>Same shape as the transfer results.</summary>
    public static void WriteResults(Utf8JsonWriter writer, ReadOnlySpan<CreateAccountResult> results)
    {
        writer.WriteStartArray();
        for (var i = 0; i < results.Length; i++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, i);
            writer.WriteString("status"u8, AccountStatus[(int)results[i]]);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public static void WriteAccount(Utf8JsonWriter writer, in Account a)
    {
        writer.WriteStartObject();
        WriteU128(writer, "id"u8, a.Id);
        writer.WriteNumber("ledger"u8, a.Ledger);
        writer.WriteNumber("code"u8, a.Code);
        FlagNames.Write(writer, a.Flags);
        WriteU128(writer, "debits_pending"u8, a.DebitsPending);
        WriteU128(writer, "debits_posted"u8, a.DebitsPosted);
        WriteU128(writer, "credits_pending"u8, a.CreditsPending);
        WriteU128(writer, "credits_posted"u8, a.CreditsPosted);
        WriteU128(writer, "user_data_128"u8, a.UserData128);
        WriteU128(writer, "user_data_64"u8, a.UserData64);
        writer.WriteNumber("user_data_32"u8, a.UserData32);
        WriteU128(writer, "timestamp"u8, a.Timestamp);
        writer.WriteEndObject();
    }

    public static void WriteTransfer(Utf8JsonWriter writer, in Transfer t)
    {
        writer.WriteStartObject();
        WriteU128(writer, "id"u8, t.Id);
        WriteU128(writer, "debit_account_id"u8, t.DebitAccountId);
        WriteU128(writer, "credit_account_id"u8, t.CreditAccountId);
        WriteU128(writer, "amount"u8, t.Amount);
        WriteU128(writer, "pending_id"u8, t.PendingId);
        writer.WriteNumber("ledger"u8, t.Ledger);
        writer.WriteNumber("code"u8, t.Code);
        FlagNames.Write(writer, t.Flags);
        writer.WriteNumber("timeout"u8, t.Timeout);
        WriteU128(writer, "user_data_128"u8, t.UserData128);
        WriteU128(writer, "user_data_64"u8, t.UserData64);
        writer.WriteNumber("user_data_32"u8, t.UserData32);
        WriteU128(writer, "timestamp"u8, t.Timestamp);
        writer.WriteEndObject();
    }

    private static void WriteU128(Utf8JsonWriter writer, ReadOnlySpan<byte> name, UInt128 value)
    {
        Span<byte> digits = stackalloc byte[40];
        // Invariant: 40 bytes hold UInt128.MaxValue (39 digits), so formatting cannot fail.
        if (!value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("UInt128 did not fit 40 digits.");
        }
        writer.WriteString(name, digits[..written]);
    }
}
