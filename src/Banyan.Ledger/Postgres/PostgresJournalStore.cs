using System.Diagnostics;
using Banyan.Ledger.Journal;
using Npgsql;

namespace Banyan.Ledger.Postgres;

/// <summary>
/// The PostgreSQL journal: table <c>ledger_journal</c>, one row per sealed record (the same bytes the
/// file journal writes). Rows are committed by the leader's flusher, many records per transaction
/// (group commit), each transaction fenced by the lease row (<see cref="PostgresAppender"/>).
/// </summary>
internal sealed class PostgresJournalStore(NpgsqlDataSource source, ClusterState cluster) : IJournalStore
{
    private const int ScanTimeoutSeconds = 0; // recovery of a long journal may take minutes: no command timeout

    public NpgsqlDataSource Source => source;

    public string Location => $"PostgreSQL table {PostgresSchema.JournalTable}";

    /// <summary>Every row, verified, in order. PostgreSQL commits are atomic, so there is no torn tail: any bad row is corruption.</summary>
    public JournalTail Scan(RecordVisitor visit, out ScanTotals totals, bool repair)
    {
        var clock = Stopwatch.StartNew();
        long records = 0, events = 0, bytes = 0;
        ulong expected = 1;
        UInt128 previous = default;
        using (var connection = source.OpenConnection())
        using (var command = new NpgsqlCommand($"SELECT {PostgresRows.SelectColumns} FROM {PostgresSchema.JournalTable} ORDER BY sequence", connection) { CommandTimeout = ScanTimeoutSeconds })
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var row = PostgresRows.Read(reader);
                var header = PostgresRows.Verify(row, expected, previous, out var chain);
                visit(header, row.Payload.AsSpan(RecordHeader.Size, header.BodyLength), chain);
                expected = header.Sequence + 1;
                previous = chain;
                records++;
                events += header.EventCount;
                bytes += header.RecordLength;
            }
        }
        totals = new ScanTotals(records, events, bytes, 0, clock.Elapsed.TotalSeconds);
        return new JournalTail(expected - 1, previous, null, 0);
    }

    public IJournalAppender OpenAppender(JournalTail tail) => new PostgresAppender(source, cluster, tail);

    public IJournalCursor OpenCursor() => new PostgresCursor(source, null);
}

/// <summary>
/// Reads verified rows in pages (bounded memory however far behind a reader is). Used by stream
/// subscribers and by a standby following the leader; each row's payload array is fresh, so a body
/// handed out stays valid after the next read.
/// </summary>
internal sealed class PostgresCursor : IJournalCursor
{
    private const int PageRows = 256;
    private readonly NpgsqlDataSource _source;
    private readonly Queue<JournalRow> _page = new();
    private ulong _next;        // the sequence the next row must have (0: not started)
    private UInt128? _previous; // chain hash of the last row read (null: unknown, first row not chain-checked)

    /// <param name="source">The database.</param>
    /// <param name="after">Continue after this record (a standby's tail): the first row read must chain to it.</param>
    public PostgresCursor(NpgsqlDataSource source, (ulong Sequence, UInt128 Hash)? after)
    {
        _source = source;
        if (after is { } start)
        {
            _next = start.Sequence + 1;
            _previous = start.Hash;
        }
    }

    public bool TryRead(ulong from, ulong limit, out RecordHeader header, out ReadOnlyMemory<byte> body, out UInt128 chainHash)
    {
        header = default;
        body = default;
        chainHash = default;
        if (_next == 0) _next = Math.Max(from, 1);
        while (true)
        {
            if (_page.Count == 0 && (_next > limit || !Fetch(limit))) return false;
            var row = _page.Dequeue();
            header = PostgresRows.Verify(row, _next, _previous, out chainHash);
            _next = header.Sequence + 1;
            _previous = chainHash;
            body = row.Payload.AsMemory(RecordHeader.Size, header.BodyLength);
            if (header.Sequence >= from) return true;
        }
    }

    private bool Fetch(ulong limit)
    {
        var upper = (long)Math.Min(limit, long.MaxValue);
        using var connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(
            $"SELECT {PostgresRows.SelectColumns} FROM {PostgresSchema.JournalTable} WHERE sequence >= @from AND sequence <= @limit ORDER BY sequence LIMIT {PageRows}", connection);
        command.Parameters.AddWithValue("from", checked((long)_next));
        command.Parameters.AddWithValue("limit", upper);
        using var reader = command.ExecuteReader();
        while (reader.Read()) _page.Enqueue(PostgresRows.Read(reader));
        return _page.Count > 0;
    }

    public void Dispose() => _page.Clear();
}
