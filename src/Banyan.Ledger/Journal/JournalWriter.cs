using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace Banyan.Ledger.Journal;

/// <summary>A record to append: its bytes at the start of <see cref="Buffer"/>, which has room for the zero padding.</summary>
internal readonly record struct PendingRecord(Memory<byte> Buffer, int Length);

/// <summary>Where recovery left the journal: the last verified record and the segment to append to.</summary>
internal readonly record struct JournalTail(ulong LastSequence, UInt128 LastChainHash, string? ActiveSegment, long ActiveSegmentLength);

/// <summary>
/// Appends sealed records to segment files. Owned by one thread (the engine's flusher). Each
/// <see cref="Append"/> is one gather write (writev) of all given records plus ONE fdatasync: that is the
/// group commit. Files are only ever appended to; a segment is closed when the next batch would push it
/// past the segment size, and the next one is named after its first sequence number.
/// </summary>
internal sealed class JournalWriter : IJournalAppender
{
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly bool _fsync;
    private readonly Action? _beforeSync;
    private readonly bool _directIo;
    private bool _direct;
    private readonly List<ReadOnlyMemory<byte>> _gather = new(64);
    private FileStream? _segment;
    private long _segmentLength;

    public JournalWriter(string directory, long segmentBytes, bool fsync, JournalTail tail, Action? beforeSync = null, bool directIo = false)
    {
        if (segmentBytes < RecordHeader.MaxRecordLength) throw new ArgumentOutOfRangeException(nameof(segmentBytes), "A segment must hold at least one full record.");
        _directory = directory;
        _segmentBytes = segmentBytes;
        _fsync = fsync;
        _beforeSync = beforeSync;
        _directIo = directIo;
        LastSequence = tail.LastSequence;
        LastChainHash = tail.LastChainHash;
        if (tail.ActiveSegment is not null)
        {
            _segment = DurableFile.OpenSegment(tail.ActiveSegment, FileMode.Open, directIo, out _direct);
            _segmentLength = tail.ActiveSegmentLength;
        }
    }

    public ulong LastSequence { get; private set; }

    public UInt128 LastChainHash { get; private set; }

    public long BytesWritten { get; private set; }

    /// <summary>Group commits: one per <see cref="Append"/> (each is one write and one fdatasync).</summary>
    public long Appends => Interlocked.Read(ref _appends);

    /// <summary>Stopwatch ticks spent in write(v) calls.</summary>
    public long WriteTicks => Interlocked.Read(ref _writeTicks);

    /// <summary>Stopwatch ticks spent in fdatasync.</summary>
    public long SyncTicks => Interlocked.Read(ref _syncTicks);

    private long _appends;
    private long _writeTicks;
    private long _syncTicks;

    public static string SegmentName(ulong firstSequence) => $"journal-{firstSequence.ToString("D12", CultureInfo.InvariantCulture)}.log";

    /// <summary>Whether the active segment is written with O_DIRECT.</summary>
    public bool DirectIo => _direct;

    /// <summary>
    /// Seals (previous hash + checksum), pads to the 4 KiB alignment and durably appends
    /// <paramref name="records"/>, whose headers carry consecutive sequence numbers. With O_DIRECT the
    /// buffers must start 4 KiB-aligned. Returns when the records are durable.
    /// </summary>
    public void Append(IReadOnlyList<PendingRecord> records)
    {
        if (records.Count == 0) return;
        long total = 0;
        _gather.Clear();
        foreach (var record in records)
        {
            var padded = RecordHeader.Padded(record.Length);
            var span = record.Buffer.Span;
            Seal(span[..record.Length]);
            span[record.Length..padded].Clear();
            _gather.Add(record.Buffer[..padded]);
            total += padded;
        }
        var firstSequence = LastSequence - (ulong)records.Count + 1;
        if (_segment is null || (_segmentLength > 0 && _segmentLength + total > _segmentBytes)) Roll(firstSequence);
        // Invariant: every write starts on an alignment boundary (recovery only ever truncates to record starts).
        if (_segmentLength % RecordHeader.Alignment != 0) throw new InvalidOperationException($"Journal append offset {_segmentLength} is not aligned.");
        var start = Stopwatch.GetTimestamp();
        RandomAccess.Write(_segment!.SafeFileHandle, _gather, _segmentLength);
        var written = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _writeTicks, written - start);
        _segmentLength += total;
        BytesWritten += total;
        _gather.Clear();
        Interlocked.Increment(ref _appends);
        if (!_fsync) return;
        _beforeSync?.Invoke();
        DurableFile.SyncData(_segment);
        Interlocked.Add(ref _syncTicks, Stopwatch.GetTimestamp() - written);
    }

    private void Seal(Span<byte> record)
    {
        var sequence = LastSequence;
        var hash = LastChainHash;
        RecordSealer.Seal(record, ref sequence, ref hash);
        LastSequence = sequence;
        LastChainHash = hash;
    }

    /// <summary>The file journal has one writer for its whole life: nothing else ever appends.</summary>
    public void Follow(ulong sequence, UInt128 chainHash) =>
        throw new InvalidOperationException("A file journal is never followed: only the PostgreSQL journal has standbys.");

    private void Roll(ulong firstSequence)
    {
        _segment?.Dispose();
        var path = Path.Combine(_directory, SegmentName(firstSequence));
        _segment = DurableFile.OpenSegment(path, FileMode.CreateNew, _directIo, out _direct);
        _segmentLength = 0;
        if (_fsync) DurableFile.SyncDirectory(_directory);
    }

    public void Dispose()
    {
        _segment?.Dispose();
        _segment = null;
    }
}
