using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Banyan.Ledger.Http.Api;

/// <summary>
/// Decodes the JSON batch bodies of the ledger API straight into engine structs with a
/// <see cref="Utf8JsonReader"/>: no DTOs, no reflection, no per-event allocation. Strict on purpose:
/// unknown or duplicate fields, malformed numbers and unknown flag names are errors (a typo such as
/// <c>ammount</c> must not silently become an amount of zero). A missing field is zero, which the
/// engine then judges with its own result codes (<c>id_must_not_be_zero</c>, …).
/// </summary>
internal static class JsonBatchDecoder
{
    /// <summary>Events (or ids) in one request; the engine's batch limit.</summary>
    public const int MaxEvents = LedgerEngine.MaxBatchEvents;

    private const int MaxNumberChars = 64;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 4, CommentHandling = JsonCommentHandling.Disallow };

    private static readonly byte[][] AccountFields =
    [
        "id"u8.ToArray(), "debits_pending"u8.ToArray(), "debits_posted"u8.ToArray(), "credits_pending"u8.ToArray(),
        "credits_posted"u8.ToArray(), "user_data_128"u8.ToArray(), "user_data_64"u8.ToArray(), "user_data_32"u8.ToArray(),
        "ledger"u8.ToArray(), "code"u8.ToArray(), "flags"u8.ToArray(), "timestamp"u8.ToArray(),
    ];

    private static readonly byte[][] TransferFields =
    [
        "id"u8.ToArray(), "debit_account_id"u8.ToArray(), "credit_account_id"u8.ToArray(), "amount"u8.ToArray(),
        "pending_id"u8.ToArray(), "user_data_128"u8.ToArray(), "user_data_64"u8.ToArray(), "user_data_32"u8.ToArray(),
        "timeout"u8.ToArray(), "ledger"u8.ToArray(), "code"u8.ToArray(), "flags"u8.ToArray(), "timestamp"u8.ToArray(),
    ];

    /// <summary>Decodes a JSON array of accounts into <paramref name="into"/>; returns the count.</summary>
    /// <exception cref="LedgerInputException">The body is not a valid batch.</exception>
    public static int DecodeAccounts(ReadOnlySpan<byte> json, Span<Account> into)
    {
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            ExpectArrayStart(ref reader);
            var count = 0;
            while (NextObject(ref reader, count, into.Length))
            {
                into[count] = ReadAccount(ref reader, count);
                count++;
            }
            ExpectEnd(ref reader);
            return count;
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    /// <summary>Decodes a JSON array of transfers into <paramref name="into"/>; returns the count.</summary>
    /// <exception cref="LedgerInputException">The body is not a valid batch.</exception>
    public static int DecodeTransfers(ReadOnlySpan<byte> json, Span<Transfer> into)
    {
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            ExpectArrayStart(ref reader);
            var count = 0;
            while (NextObject(ref reader, count, into.Length))
            {
                into[count] = ReadTransfer(ref reader, count);
                count++;
            }
            ExpectEnd(ref reader);
            return count;
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    /// <summary>Decodes a JSON array of decimal id strings; returns the count.</summary>
    /// <exception cref="LedgerInputException">The body is not an array of ids.</exception>
    public static int DecodeIds(ReadOnlySpan<byte> json, Span<UInt128> into)
    {
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            ExpectArrayStart(ref reader);
            var count = 0;
            while (true)
            {
                Read(ref reader);
                if (reader.TokenType == JsonTokenType.EndArray) break;
                if (count >= into.Length) throw TooMany(into.Length);
                if (reader.TokenType != JsonTokenType.String) throw new LedgerInputException(count, "id", $"ids[{count}] must be a decimal string");
                into[count] = ParseU128(ref reader, count, "id");
                count++;
            }
            ExpectEnd(ref reader);
            return count;
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    /// <summary>Parses a decimal id from a route segment.</summary>
    public static bool TryParseId(string text, out UInt128 id) =>
        UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static Account ReadAccount(ref Utf8JsonReader reader, int index)
    {
        var a = default(Account);
        var seen = 0u;
        while (NextField(ref reader, index, AccountFields, ref seen, out var field))
        {
            switch (field)
            {
                case 0: a.Id = ReadU128(ref reader, index, "id"); break;
                case 1: a.DebitsPending = ReadU128(ref reader, index, "debits_pending"); break;
                case 2: a.DebitsPosted = ReadU128(ref reader, index, "debits_posted"); break;
                case 3: a.CreditsPending = ReadU128(ref reader, index, "credits_pending"); break;
                case 4: a.CreditsPosted = ReadU128(ref reader, index, "credits_posted"); break;
                case 5: a.UserData128 = ReadU128(ref reader, index, "user_data_128"); break;
                case 6: a.UserData64 = ReadU64(ref reader, index, "user_data_64"); break;
                case 7: a.UserData32 = ReadU32(ref reader, index, "user_data_32"); break;
                case 8: a.Ledger = ReadU32(ref reader, index, "ledger"); break;
                case 9: a.Code = ReadU16(ref reader, index, "code"); break;
                case 10: a.Flags = ReadAccountFlags(ref reader, index); break;
                default: a.Timestamp = ReadU64(ref reader, index, "timestamp"); break;
            }
        }
        return a;
    }

    private static Transfer ReadTransfer(ref Utf8JsonReader reader, int index)
    {
        var t = default(Transfer);
        var seen = 0u;
        while (NextField(ref reader, index, TransferFields, ref seen, out var field))
        {
            switch (field)
            {
                case 0: t.Id = ReadU128(ref reader, index, "id"); break;
                case 1: t.DebitAccountId = ReadU128(ref reader, index, "debit_account_id"); break;
                case 2: t.CreditAccountId = ReadU128(ref reader, index, "credit_account_id"); break;
                case 3: t.Amount = ReadU128(ref reader, index, "amount"); break;
                case 4: t.PendingId = ReadU128(ref reader, index, "pending_id"); break;
                case 5: t.UserData128 = ReadU128(ref reader, index, "user_data_128"); break;
                case 6: t.UserData64 = ReadU64(ref reader, index, "user_data_64"); break;
                case 7: t.UserData32 = ReadU32(ref reader, index, "user_data_32"); break;
                case 8: t.Timeout = ReadU32(ref reader, index, "timeout"); break;
                case 9: t.Ledger = ReadU32(ref reader, index, "ledger"); break;
                case 10: t.Code = ReadU16(ref reader, index, "code"); break;
                case 11: t.Flags = ReadTransferFlags(ref reader, index); break;
                default: t.Timestamp = ReadU64(ref reader, index, "timestamp"); break;
            }
        }
        return t;
    }

    /// <summary>
    /// Advances to the next property of the current object and positions the reader on its value.
    /// Returns false at the end of the object. Unknown and repeated fields are errors.
    /// </summary>
    private static bool NextField(ref Utf8JsonReader reader, int index, byte[][] fields, ref uint seen, out int field)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.EndObject) { field = -1; return false; }
        field = -1;
        for (var i = 0; i < fields.Length; i++)
        {
            if (reader.ValueTextEquals(fields[i])) { field = i; break; }
        }
        if (field < 0)
        {
            var name = reader.GetString() ?? "";
            if (name.Length > 64) name = name[..64];
            throw new LedgerInputException(index, name, $"events[{index}] has an unknown field '{name}'");
        }
        var bit = 1u << field;
        if ((seen & bit) != 0)
        {
            var name = Encoding.UTF8.GetString(fields[field]);
            throw new LedgerInputException(index, name, $"events[{index}] repeats the field '{name}'");
        }
        seen |= bit;
        Read(ref reader);
        return true;
    }

    private static UInt128 ReadU128(ref Utf8JsonReader reader, int index, string field)
    {
        if (reader.TokenType == JsonTokenType.Null) return UInt128.Zero;
        if (reader.TokenType != JsonTokenType.String) throw Invalid(index, field, "must be a decimal string holding an unsigned 128-bit integer");
        return ParseU128(ref reader, index, field);
    }

    private static UInt128 ParseU128(ref Utf8JsonReader reader, int index, string field)
    {
        Span<byte> scratch = stackalloc byte[MaxNumberChars];
        var text = Digits(in reader, scratch, index, field);
        if (!UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid(index, field, "must be a decimal string holding an unsigned 128-bit integer");
        }
        return value;
    }

    private static ulong ReadU64(ref Utf8JsonReader reader, int index, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return 0;
            case JsonTokenType.Number when reader.TryGetUInt64(out var n): return n;
            case JsonTokenType.String:
                Span<byte> scratch = stackalloc byte[MaxNumberChars];
                var text = Digits(in reader, scratch, index, field);
                if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s)) return s;
                break;
        }
        throw Invalid(index, field, "must be an unsigned 64-bit integer (number or decimal string)");
    }

    private static uint ReadU32(ref Utf8JsonReader reader, int index, string field)
    {
        if (reader.TokenType == JsonTokenType.Null) return 0;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var n)) return n;
        throw Invalid(index, field, "must be an integer from 0 to 4294967295");
    }

    private static ushort ReadU16(ref Utf8JsonReader reader, int index, string field)
    {
        if (reader.TokenType == JsonTokenType.Null) return 0;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var n)) return n;
        throw Invalid(index, field, "must be an integer from 0 to 65535");
    }

    private static AccountFlags ReadAccountFlags(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType == JsonTokenType.Null) return AccountFlags.None;
        if (reader.TokenType != JsonTokenType.StartArray) throw Invalid(index, "flags", "must be an array of flag names");
        var flags = AccountFlags.None;
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) return flags;
            if (reader.TokenType != JsonTokenType.String || !FlagNames.TryParseAccount(ref reader, out var flag))
            {
                throw UnknownFlag(ref reader, index, string.Join(", ", FlagNames.Account.Select(f => f.Name)));
            }
            flags |= flag;
        }
    }

    private static TransferFlags ReadTransferFlags(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType == JsonTokenType.Null) return TransferFlags.None;
        if (reader.TokenType != JsonTokenType.StartArray) throw Invalid(index, "flags", "must be an array of flag names");
        var flags = TransferFlags.None;
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) return flags;
            if (reader.TokenType != JsonTokenType.String || !FlagNames.TryParseTransfer(ref reader, out var flag))
            {
                throw UnknownFlag(ref reader, index, string.Join(", ", FlagNames.Transfer.Select(f => f.Name)));
            }
            flags |= flag;
        }
    }

    /// <summary>The raw digits of a string token, unescaped into <paramref name="scratch"/> only when needed.</summary>
    private static ReadOnlySpan<byte> Digits(in Utf8JsonReader reader, Span<byte> scratch, int index, string field)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence) return reader.ValueSpan;
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > scratch.Length) throw Invalid(index, field, "is too long for a number");
        var written = reader.CopyString(scratch);
        return scratch[..written];
    }

    private static void ExpectArrayStart(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new LedgerInputException(null, "", "the body must be a JSON array");
        }
    }

    private static bool NextObject(ref Utf8JsonReader reader, int count, int capacity)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.EndArray) return false;
        if (count >= capacity) throw TooMany(capacity);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new LedgerInputException(count, "", $"events[{count}] must be a JSON object");
        }
        return true;
    }

    private static void ExpectEnd(ref Utf8JsonReader reader)
    {
        // Invariant: the reader is final-block, so trailing garbage throws here rather than being ignored.
        if (reader.Read()) throw new LedgerInputException(null, "", "unexpected content after the JSON array");
    }

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new LedgerInputException(null, "", "the JSON body ends early");
    }

    private static LedgerInputException TooMany(int capacity) =>
        new(capacity, "", $"a request holds at most {capacity} events");

    private static LedgerInputException Invalid(int index, string field, string what) =>
        new(index, field, $"events[{index}].{field} {what}");

    private static LedgerInputException UnknownFlag(ref Utf8JsonReader reader, int index, string known)
    {
        var name = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : reader.TokenType.ToString();
        if (name.Length > 64) name = name[..64];
        return new LedgerInputException(index, "flags", $"events[{index}].flags has an unknown flag '{name}'; known: {known}");
    }

    private static LedgerInputException Malformed(JsonException e) =>
        new(null, "", $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
}
