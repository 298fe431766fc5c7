using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Banyan.Lending.Book;

/// <summary>One line of the book journal: a step the ledger accepted (decision 0500).</summary>
internal sealed record JournalEntry
{
    public required string Kind { get; init; }
    /// <summary>The book's transfer sequence after the step, so ids never repeat after a replay.</summary>
    public long Seq { get; init; }
    /// <summary>Write-ahead steps (decision 0504): the transfer sequence the step's ids start after.</summary>
    public long? Start { get; init; }
    public uint Epoch { get; init; }
    public uint Ledger { get; init; }
    public Product? Product { get; init; }
    public string? Reference { get; init; }
    public string? ProductCode { get; init; }
    public long Loan { get; init; }
    public long Amount { get; init; }
    public int Instalments { get; init; }
    public DateOnly Date { get; init; }
    /// <summary>Partial prepayment: <c>keep_term</c> or <c>keep_instalment</c>.</summary>
    public string? Mode { get; init; }
    /// <summary>Loan: the credit application it was booked from (null in journals written before approvals were checked).</summary>
    public string? Application { get; init; }
    /// <summary>Rescheduling: the new nominal annual rate (null keeps the rate).</summary>
    public decimal? Rate { get; init; }
}

/// <summary>
/// The book's append-only journal (JSON lines, fsync'd per step) under the module directory. The
/// book is rebuilt at start by replaying it through the same code with ledger postings switched
/// off; the steps are deterministic, so the rebuilt state equals the state before the restart.
/// </summary>
internal sealed class BookJournal : IDisposable
{
    public const string FileName = "book.jsonl";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly FileStream _file;

    private BookJournal(FileStream file) => _file = file;

    public static (BookJournal Journal, List<JournalEntry> Entries) Open(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var entries = new List<JournalEntry>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path, Encoding.UTF8))
            {
                if (line.Length == 0) continue;
                try
                {
                    entries.Add(JsonSerializer.Deserialize<JournalEntry>(line, Json) ?? throw new InvalidDataException("null entry"));
                }
                catch (JsonException) when (!HasMoreAfter(path, line))
                {
                    break; // a torn last line from a crash mid-append: the step was never acknowledged
                }
            }
        }
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return (new BookJournal(file), entries);
    }

    private static bool HasMoreAfter(string path, string line) => !File.ReadAllText(path).TrimEnd('\n').EndsWith(line, StringComparison.Ordinal);

    /// <summary>Appends one entry; durable on return unless <paramref name="sync"/> is false (bulk steps call <see cref="Sync"/> once).</summary>
    public void Append(JournalEntry entry, bool sync = true)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, Json);
        _file.Write(bytes);
        _file.WriteByte((byte)'\n');
        if (sync) Sync();
    }

    public void Sync() => _file.Flush(flushToDisk: true);

    public void Dispose() => _file.Dispose();
}
