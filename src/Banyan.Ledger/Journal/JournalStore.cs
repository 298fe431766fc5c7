namespace Banyan.Ledger.Journal;

/// <summary>
/// Where journal records live: segment files in the ledger directory, or rows in PostgreSQL. Both
/// hold the same sealed record bytes (header with previous hash and checksum, then the body), so
/// recovery, the stream and verification apply the same checks whatever the backend.
/// </summary>
internal interface IJournalStore
{
    /// <summary>A human-readable location for messages ("segment files in …", "PostgreSQL table ledger_journal").</summary>
    string Location { get; }

    /// <summary>Reads and verifies every record in order. <paramref name="repair"/>: may cut a torn tail (files only; PostgreSQL commits are atomic).</summary>
    JournalTail Scan(RecordVisitor visit, out ScanTotals totals, bool repair);

    /// <summary>The appender the flusher writes through, continuing after <paramref name="tail"/>.</summary>
    IJournalAppender OpenAppender(JournalTail tail);

    /// <summary>A reader for one stream subscriber.</summary>
    IJournalCursor OpenCursor();
}

/// <summary>Appends sealed records: one call = one group commit. Owned by the flusher thread.</summary>
internal interface IJournalAppender : IDisposable
{
    ulong LastSequence { get; }

    UInt128 LastChainHash { get; }

    long BytesWritten { get; }

    long Appends { get; }

    long WriteTicks { get; }

    long SyncTicks { get; }

    bool DirectIo { get; }

    /// <summary>Seals and durably appends <paramref name="records"/>; returns only once they are durable.</summary>
    void Append(IReadOnlyList<PendingRecord> records);

    /// <summary>A standby applied records another node appended: continue the chain after them.</summary>
    void Follow(ulong sequence, UInt128 chainHash);
}

/// <summary>Reads verified records in sequence order up to a durable limit (one per stream subscriber).</summary>
internal interface IJournalCursor : IDisposable
{
    bool TryRead(ulong from, ulong limit, out RecordHeader header, out ReadOnlyMemory<byte> body, out UInt128 chainHash);
}

/// <summary>The file journal (segment files in the ledger directory), the default backend.</summary>
internal sealed class FileJournalStore(LedgerOptions options) : IJournalStore
{
    public string Location => $"segment files in '{options.Directory}'";

    public JournalTail Scan(RecordVisitor visit, out ScanTotals totals, bool repair) =>
        JournalScanner.Scan(options.Directory, options.Fsync, visit, out totals, truncateTornTail: repair);

    public IJournalAppender OpenAppender(JournalTail tail) =>
        new JournalWriter(options.Directory, options.SegmentBytes, options.Fsync, tail, options.BeforeJournalSync, options.DirectIo);

    public IJournalCursor OpenCursor() => new Streaming.JournalReader(options.Directory);
}

/// <summary>Seals a record: writes the previous record's chain hash and the checksum into its header.</summary>
internal static class RecordSealer
{
    /// <summary>Seals <paramref name="record"/> (exactly header + body) after the record <paramref name="lastSequence"/>/<paramref name="lastHash"/>, advancing both.</summary>
    public static void Seal(Span<byte> record, ref ulong lastSequence, ref UInt128 lastHash)
    {
        var sequence = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(record[8..]);
        // Invariant: the engine hands records over in the order it applied them, numbered without gaps.
        if (sequence != lastSequence + 1) throw new InvalidOperationException($"Journal sequence gap: expected {lastSequence + 1}, got {sequence}.");
        var header = record[..RecordHeader.Size];
        var bodyLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(record[16..]);
        if (record.Length != RecordHeader.Size + bodyLength) throw new InvalidOperationException("Journal record length does not match its header.");
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128LittleEndian(header[32..], lastHash);
        var checksum = RecordHeader.ComputeChecksum(header, record[RecordHeader.Size..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128LittleEndian(header[48..], checksum);
        lastHash = RecordHeader.ChainHash(header);
        lastSequence = sequence;
    }
}
