using System.Text;
using System.Text.Json;

namespace Banyan.Aml;

/// <summary>Parses transactions.jsonl with <see cref="Utf8JsonReader"/>: no DOM, no per-line string except the id.</summary>
internal static class TransactionReader
{
    private const int MaxNameBytes = 512;

    private struct Fields
    {
        public string? Id;
        public long Ticks;
        public int Debit, Credit, Counterparty;
        public long Amount;
        public bool HasTime, HasAmount, HasChannel, CurrencyOk, HasCurrency, HasDebit, HasCredit;
        public Channel Channel;
        public ushort DebitCountry, CreditCountry;
    }

    /// <summary>Files at least this large are parsed in two halves on two threads (when there are two cores).</summary>
    internal static long ParallelThresholdBytes { get; set; } = 8 * 1024 * 1024;

    public static void Read(string path, Bank bank, AmlConfig config, InputIssues issues)
    {
        var file = Path.GetFileName(path);
        var currency = Encoding.UTF8.GetBytes(config.Currency);
        var length = new FileInfo(path).Length;
        bank.ExpectTransactions(length);
        if (Environment.ProcessorCount >= 2 && length >= ParallelThresholdBytes)
        {
            ParallelTransactionReader.Read(path, length, bank, currency, config, issues);
            return;
        }
        JsonlLines.Read(path, (line, number) =>
        {
            var (fields, why) = ParseLine(line, bank, currency, config);
            if (fields is null) return;
            if (why is null && !bank.AddTransactionId(fields.Value.Id!)) why = $"duplicate transaction_id {fields.Value.Id}";
            if (why is not null)
            {
                issues.Report(file, number, why);
                return;
            }
            var f = fields.Value;
            bank.Transactions.Add(new Txn(f.Ticks, f.Debit, f.Credit, f.Amount, f.Channel, f.DebitCountry, f.CreditCountry, bank.TransactionIds.Count, f.Counterparty));
            bank.TransactionIds.Add(f.Id!);
        }, line => issues.Report(file, line, $"line longer than {JsonlLines.MaxLineBytes} bytes"));
    }

    internal readonly record struct Parsed(string? Id, long Ticks, int Debit, int Credit, long Amount, Channel Channel, ushort DebitCountry, ushort CreditCountry, int Counterparty);

    /// <summary>One line to a transaction or a reason; (null, null) for a blank line.</summary>
    internal static (Parsed? Fields, string? Why) ParseLine(ReadOnlySpan<byte> line, IInterner interner, byte[] currency, AmlConfig config)
    {
        if (JsonlLines.IsBlank(line)) return (null, null);
        string? why;
        var f = new Fields { Counterparty = -1 };
        try
        {
            why = Parse(line, interner, currency, ref f) ?? Validate(ref f);
        }
        catch (JsonException e)
        {
            why = "invalid JSON: " + e.Message;
        }
        // Thresholds are in the bank's currency; converting at a guessed rate would invent figures.
        if (why is null && !f.CurrencyOk) why = $"currency is not {config.Currency} (no conversion configured)";
        return (new Parsed(f.Id, f.Ticks, f.Debit, f.Credit, f.Amount, f.Channel, f.DebitCountry, f.CreditCountry, f.Counterparty), why);
    }

    private static string? Validate(ref Fields f)
    {
        if (f.Id is null) return "transaction_id is missing";
        if (!f.HasTime) return "timestamp is missing";
        if (!f.HasDebit || !f.HasCredit) return "debit_account and credit_account are required";
        if (f.Debit == f.Credit) return "debit_account equals credit_account";
        if (!f.HasAmount) return "amount_minor is missing";
        if (f.Amount <= 0) return "amount_minor must be a positive integer";
        if (f.Amount > Limits.MaxAmount) return $"amount_minor above the limit of {Limits.MaxAmount}";
        if (f.Ticks < Limits.MinTicks || f.Ticks >= Limits.MaxTicks) return "timestamp outside 1900-2200";
        if (!f.HasChannel) return "channel must be one of cash, transfer, card, wire";
        if (!f.HasCurrency) return "currency is missing";
        return null;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string? Parse(ReadOnlySpan<byte> line, IInterner bank, byte[] currency, ref Fields f)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "a transaction must be a JSON object";
        Span<char> chars = stackalloc char[256];
        Span<char> names = stackalloc char[MaxNameBytes];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var why = Property(ref reader, bank, currency, ref f, chars, names);
            if (why is not null) return why;
        }
        if (reader.TokenType != JsonTokenType.EndObject) return "a transaction must be one JSON object";
        if (reader.Read()) return "unexpected data after the JSON object";
        return null;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string? Property(ref Utf8JsonReader r, IInterner bank, byte[] currency, ref Fields f, scoped Span<char> chars, scoped Span<char> names)
    {
        if (r.ValueTextEquals("transaction_id"u8)) { r.Read(); if (r.TokenType != JsonTokenType.String) return "transaction_id must be a string"; f.Id = r.GetString(); return string.IsNullOrEmpty(f.Id) ? "transaction_id is empty" : null; }
        if (r.ValueTextEquals("timestamp"u8))
        {
            r.Read();
            if (r.TokenType != JsonTokenType.String || !r.TryGetDateTimeOffset(out var time)) return "timestamp must be an ISO 8601 time";
            f.Ticks = time.UtcTicks; f.HasTime = true; return null;
        }
        if (r.ValueTextEquals("debit_account"u8)) { f.HasDebit = true; return Account(ref r, bank, chars, out f.Debit, "debit_account"); }
        if (r.ValueTextEquals("credit_account"u8)) { f.HasCredit = true; return Account(ref r, bank, chars, out f.Credit, "credit_account"); }
        if (r.ValueTextEquals("amount_minor"u8))
        {
            r.Read();
            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out f.Amount)) return "amount_minor must be an integer number of minor units";
            f.HasAmount = true; return null;
        }
        if (r.ValueTextEquals("currency"u8)) { r.Read(); if (r.TokenType != JsonTokenType.String) return "currency must be a string"; f.HasCurrency = true; f.CurrencyOk = r.ValueTextEquals(currency); return null; }
        if (r.ValueTextEquals("channel"u8)) return ChannelOf(ref r, ref f);
        if (r.ValueTextEquals("debit_country"u8)) return CountryOf(ref r, chars, out f.DebitCountry);
        if (r.ValueTextEquals("credit_country"u8)) return CountryOf(ref r, chars, out f.CreditCountry);
        if (r.ValueTextEquals("counterparty_name"u8))
        {
            r.Read();
            if (r.TokenType == JsonTokenType.Null) return null;
            if (r.TokenType != JsonTokenType.String) return "counterparty_name must be a string";
            if (r.ValueSpan.Length == 0) return null;
            // Names repeat: decode onto the stack and look the text up, allocating only a name not seen before.
            var raw = r.HasValueSequence || r.ValueIsEscaped ? Encoding.UTF8.GetBytes(r.GetString()!) : r.ValueSpan;
            if (raw.Length > MaxNameBytes || !Encoding.UTF8.TryGetChars(raw, names, out var length)) return $"counterparty_name longer than {MaxNameBytes} bytes or not UTF-8";
            if (length > 0) f.Counterparty = bank.Name(names[..length]);
            return null;
        }
        r.Read();
        r.Skip();
        return null;
    }

    private static string? Account(ref Utf8JsonReader r, IInterner bank, scoped Span<char> chars, out int index, string name)
    {
        index = -1;
        r.Read();
        if (r.TokenType != JsonTokenType.String) return name + " must be a string";
        var raw = r.HasValueSequence || r.ValueIsEscaped ? Encoding.UTF8.GetBytes(r.GetString()!) : r.ValueSpan;
        if (!Bank.TryDecodeId(raw, chars, out var length)) return name + " must be 1-256 characters";
        index = bank.Account(chars[..length]);
        return null;
    }

    private static string? ChannelOf(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        f.HasChannel = true;
        if (r.ValueTextEquals("cash"u8)) f.Channel = Channel.Cash;
        else if (r.ValueTextEquals("transfer"u8)) f.Channel = Channel.Transfer;
        else if (r.ValueTextEquals("card"u8)) f.Channel = Channel.Card;
        else if (r.ValueTextEquals("wire"u8)) f.Channel = Channel.Wire;
        else return "channel must be one of cash, transfer, card, wire";
        return null;
    }

    private static string? CountryOf(ref Utf8JsonReader r, scoped Span<char> chars, out ushort country)
    {
        country = Country.None;
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.String || r.ValueSpan.Length != 2) return "countries must be 2-letter codes";
        chars[0] = (char)r.ValueSpan[0];
        chars[1] = (char)r.ValueSpan[1];
        country = Country.Pack(chars[..2]);
        return country == Country.None ? "countries must be 2-letter codes" : null;
    }
}
