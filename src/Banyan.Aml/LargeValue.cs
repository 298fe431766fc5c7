using System.Text.Json;

namespace Banyan.Aml;

/// <summary>
/// PBoC large-value transaction reports, per customer per business day, single or cumulative (both directions):
/// cash ≥ 50,000; business transfers ≥ 2,000,000; individual transfers ≥ 500,000 domestic or ≥ 200,000 cross-border.
/// Days are closed (and written) as soon as time passes them, so memory holds one day at a time.
/// </summary>
internal sealed class LargeValueReporter(RuleContext ctx, Utf8JsonWriter? writer, Stream? stream)
{
    private const int MaxIds = 1_000;

    private sealed class Bucket
    {
        public long Total { get; set; }
        public int Count { get; set; }
        public List<int> Seqs { get; } = [];
    }

    private static readonly string[] Kinds = ["cash", "corporate_transfer", "individual_domestic_transfer", "individual_cross_border_transfer"];
    private readonly Dictionary<(int Customer, int Kind), Bucket> _day = [];
    private long _currentDay = long.MinValue;

    public int Reports { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Observe(in Txn t)
    {
        var day = ctx.DayOf(t.Ticks);
        if (day != _currentDay)
        {
            Flush();
            _currentDay = day;
        }
        Add(t.Debit, t);
        Add(t.Credit, t);
    }

    private void Add(int account, in Txn t)
    {
        if (ctx.Info(account).Customer is not { } customer) return;
        var kind = t.Channel switch
        {
            Channel.Cash => 0,
            Channel.Transfer or Channel.Wire when customer.Type == CustomerType.Business => 1,
            Channel.Transfer or Channel.Wire when t.DebitCountry != t.CreditCountry && t.DebitCountry != Country.None && t.CreditCountry != Country.None => 3,
            Channel.Transfer or Channel.Wire => 2,
            _ => -1,
        };
        if (kind < 0) return;
        if (!_day.TryGetValue((customer.Index, kind), out var bucket)) _day[(customer.Index, kind)] = bucket = new Bucket();
        // A transfer between two accounts of one customer is counted once.
        if (bucket.Seqs.Count > 0 && bucket.Seqs[^1] == t.Seq) return;
        bucket.Total = Limits.SaturatingAdd(bucket.Total, t.Amount);
        bucket.Count++;
        if (bucket.Seqs.Count < MaxIds) bucket.Seqs.Add(t.Seq);
    }

    private long Threshold(int kind) => kind switch
    {
        0 => ctx.Config.LargeCashDailyMinor,
        1 => ctx.Config.LargeCorporateTransferMinor,
        3 => ctx.Config.LargeIndividualCrossBorderMinor,
        _ => ctx.Config.LargeIndividualDomesticMinor,
    };

    public void Flush()
    {
        foreach (var ((customerIndex, kind), bucket) in _day.OrderBy(p => p.Key.Customer).ThenBy(p => p.Key.Kind))
        {
            var threshold = Threshold(kind);
            if (bucket.Total < threshold) continue;
            Reports++;
            if (writer is null) continue;
            var customer = ctx.Bank.Customers[customerIndex];
            var date = DateOnly.FromDayNumber((int)_currentDay);
            writer.WriteStartObject();
            writer.WriteString("report_id"u8, $"LVR-{Reports:D8}");
            writer.WriteString("kind"u8, Kinds[kind]);
            writer.WriteString("customer_id"u8, customer.Id);
            writer.WriteString("customer_type"u8, customer.Type == CustomerType.Individual ? "individual" : "business");
            writer.WriteString("business_date"u8, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteNumber("total_minor"u8, bucket.Total);
            writer.WriteNumber("threshold_minor"u8, threshold);
            writer.WriteString("currency"u8, ctx.Config.Currency);
            writer.WriteNumber("transaction_count"u8, bucket.Count);
            writer.WriteStartArray("transaction_ids"u8);
            foreach (var seq in bucket.Seqs) writer.WriteStringValue(ctx.Bank.TransactionIds[seq]);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            stream!.WriteByte((byte)'\n');
            writer.Reset();
        }
        _day.Clear();
    }
}
