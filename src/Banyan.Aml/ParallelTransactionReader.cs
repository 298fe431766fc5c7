using System.Text;

namespace Banyan.Aml;

/// <summary>
/// Parses a large transactions file as two halves on two threads. Each half interns accounts the customer file
/// did not name (and counterparty names) into its own table; the halves are then merged in file order, so line
/// numbers, duplicate detection ("the later line is the duplicate") and strict refusal match the one-thread reader.
/// The bank's tables are only read while the halves run.
/// </summary>
internal static class ParallelTransactionReader
{
    private sealed class LocalInterner(Bank bank) : IInterner
    {
        private readonly Dictionary<string, int> _accounts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
        public List<string> Accounts { get; } = [];
        public List<string> Names { get; } = [];

        /// <summary>Known accounts keep their index; new ones get −(local index + 1) until the merge.</summary>
        public int Account(ReadOnlySpan<char> id)
        {
            if (bank.TryGetAccount(id, out var known)) return known;
            return -(Local(_accounts, Accounts, id) + 1);
        }

        public int Name(ReadOnlySpan<char> name) => Local(_names, Names, name);

        private static int Local(Dictionary<string, int> map, List<string> list, ReadOnlySpan<char> text)
        {
            var lookup = map.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text, out var index)) return index;
            var value = text.ToString();
            map.Add(value, list.Count);
            list.Add(value);
            return list.Count - 1;
        }
    }

    private sealed class Half(Bank bank)
    {
        public LocalInterner Interner { get; } = new(bank);
        public List<TransactionReader.Parsed> Rows { get; } = [];
        public List<long> Lines { get; } = [];
        public List<(long Line, string Why)> Issues { get; } = [];
        public long LineCount { get; set; }
    }

    public static void Read(string path, long length, Bank bank, byte[] currency, AmlConfig config, InputIssues issues)
    {
        var split = SplitPoint(path, length);
        var halves = new[] { new Half(bank), new Half(bank) };
        (long Start, long End)[] ranges = [(0, split), (split, length)];
        Parallel.For(0, 2, i => Parse(path, ranges[i], halves[i], currency, config));
        Merge(Path.GetFileName(path), halves, bank, issues);
    }

    /// <summary>The first byte after the first newline at or after the middle (or the end).</summary>
    private static long SplitPoint(string path, long length)
    {
        using var stream = File.OpenRead(path);
        stream.Seek(length / 2, SeekOrigin.Begin);
        var buffer = new byte[64 * 1024];
        var position = length / 2;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0) return position + newline + 1;
            position += read;
        }
        return length;
    }

    private static void Parse(string path, (long Start, long End) range, Half half, byte[] currency, AmlConfig config)
    {
        half.LineCount = JsonlLines.Read(path, range.Start, range.End, (line, number) =>
        {
            var (fields, why) = TransactionReader.ParseLine(line, half.Interner, currency, config);
            if (fields is null) return;
            if (why is not null) half.Issues.Add((number, why));
            else
            {
                half.Rows.Add(fields.Value);
                half.Lines.Add(number);
            }
        }, number => half.Issues.Add((number, $"line longer than {JsonlLines.MaxLineBytes} bytes")));
    }

    private static void Merge(string file, Half[] halves, Bank bank, InputIssues issues)
    {
        var problems = new List<(long Line, string Why)>();
        long offset = 0;
        foreach (var half in halves)
        {
            var accounts = half.Interner.Accounts.Select(a => bank.InternAccount(a)).ToArray();
            var names = half.Interner.Names.Select(n => bank.InternName(n)).ToArray();
            problems.AddRange(half.Issues.Select(p => (p.Line + offset, p.Why)));
            for (var i = 0; i < half.Rows.Count; i++)
            {
                var p = half.Rows[i];
                if (!bank.AddTransactionId(p.Id!))
                {
                    problems.Add((half.Lines[i] + offset, $"duplicate transaction_id {p.Id}"));
                    continue;
                }
                int Global(int index) => index >= 0 ? index : accounts[-index - 1];
                bank.Transactions.Add(new Txn(p.Ticks, Global(p.Debit), Global(p.Credit), p.Amount, p.Channel, p.DebitCountry, p.CreditCountry,
                    bank.TransactionIds.Count, p.Counterparty >= 0 ? names[p.Counterparty] : -1));
                bank.TransactionIds.Add(p.Id!);
            }
            offset += half.LineCount;
        }
        // Reported in file order, so --strict names the first bad line as the one-thread reader would.
        foreach (var (line, why) in problems.OrderBy(p => p.Line)) issues.Report(file, line, why);
    }
}
