using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace Banyan.Ledger.Journal;

/// <summary>Receives each verified record during recovery, in sequence order.</summary>
internal delegate void RecordVisitor(in RecordHeader header, ReadOnlySpan<byte> body, UInt128 chainHash);

/// <summary>What a recovery scan read.</summary>
internal readonly record struct ScanTotals(long Records, long Events, long Bytes, long TruncatedBytes, double ReadSeconds);

/// <summary>
/// Recovery: reads every segment front to back and verifies every record (checksum, sequence, hash
/// chain). A bad record with nothing valid after it, in the last segment, is a torn write and is
/// truncated away; anything else bad is corruption and throws <see cref="LedgerCorruptException"/>
/// naming the file and byte offset. Nothing is ever skipped.
/// </summary>
internal static class JournalScanner
{
    private const string Prefix = "journal-";
    private const string Suffix = ".log";
    private const int Alignment = 16; // records start 4 KiB-aligned; probing every 16 bytes finds any record that could be there

    public static JournalTail Scan(string directory, bool fsync, RecordVisitor visit, out ScanTotals totals)
    {
        var segments = ListSegments(directory);
        var state = new ScanState();
        string? last = null;
        long lastLength = 0;
        for (var k = 0; k < segments.Count; k++)
        {
            var (first, path) = segments[k];
            if (first != state.ExpectedSequence)
                throw RecordCodec.Corrupt(path, 0, $"segment should start at sequence {state.ExpectedSequence} but is named for {first} (a segment is missing or misnamed)");
            last = path;
            lastLength = ScanSegment(path, isLast: k == segments.Count - 1, fsync, state, visit);
        }
        totals = new ScanTotals(state.Records, state.Events, state.Bytes, state.TruncatedBytes, (double)state.ReadTicks / Stopwatch.Frequency);
        return new JournalTail(state.ExpectedSequence - 1, state.PreviousHash, last, lastLength);
    }

    public static List<(ulong First, string Path)> ListSegments(string directory)
    {
        var list = new List<(ulong, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            var digits = name[Prefix.Length..^Suffix.Length];
            if (digits.Length == 12 && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
                list.Add((first, path));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    /// <summary>Returns the segment's length after any torn-tail truncation.</summary>
    private static long ScanSegment(string path, bool isLast, bool fsync, ScanState state, RecordVisitor visit)
    {
        using var window = new SegmentWindow(path);
        try
        {
            return ScanRecords(window, path, isLast, fsync, state, visit);
        }
        finally
        {
            state.ReadTicks += window.ReadTicks;
        }
    }

    private static long ScanRecords(SegmentWindow window, string path, bool isLast, bool fsync, ScanState state, RecordVisitor visit)
    {
        long offset = 0;
        while (offset < window.FileLength)
        {
            var bytes = window.At(offset, RecordHeader.MaxPaddedRecordLength);
            var status = RecordCodec.TryDecode(bytes, out var header, out var problem);
            if (status == DecodeStatus.Valid && !PaddingIsZero(bytes, header.RecordLength))
            {
                status = DecodeStatus.Invalid;
                problem = "the padding after the record is not zero";
            }
            if (status != DecodeStatus.Valid)
            {
                if (!isLast || AnyValidRecordAfter(window, offset)) throw RecordCodec.Corrupt(path, offset, problem);
                window.Dispose();
                Truncate(path, offset, fsync);
                state.TruncatedBytes += window.FileLength - offset;
                return offset;
            }
            if (header.Sequence != state.ExpectedSequence) throw RecordCodec.Corrupt(path, offset, $"sequence {header.Sequence} where {state.ExpectedSequence} was expected");
            if (header.PreviousHash != state.PreviousHash) throw RecordCodec.Corrupt(path, offset, "the hash chain is broken (previous-record hash does not match)");
            var chain = RecordHeader.ChainHash(bytes);
            visit(header, bytes.Slice(RecordHeader.Size, header.BodyLength), chain);
            state.Advance(header, chain);
            offset += RecordHeader.Padded(header.RecordLength);
        }
        // Aligned, possibly past the end of the file when a crash cut the last record's padding (a hole reads as zeros).
        return offset;
    }

    /// <summary>The gap up to the next alignment boundary (as far as the file goes) must be zeros.</summary>
    private static bool PaddingIsZero(ReadOnlySpan<byte> bytes, int recordLength)
    {
        var end = Math.Min(RecordHeader.Padded(recordLength), bytes.Length);
        return bytes[recordLength..end].IndexOfAnyExcept((byte)0) < 0;
    }

    /// <summary>Is there any verifiable record at an aligned offset after <paramref name="badOffset"/>? Then the bad one is not a torn tail.</summary>
    private static bool AnyValidRecordAfter(SegmentWindow window, long badOffset)
    {
        for (var offset = badOffset + Alignment; offset + RecordHeader.Size <= window.FileLength; offset += Alignment)
        {
            var bytes = window.At(offset, RecordHeader.MaxRecordLength);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != RecordHeader.Magic) continue;
            if (RecordCodec.TryDecode(bytes, out _, out _) == DecodeStatus.Valid) return true;
        }
        return false;
    }

    private static void Truncate(string path, long length, bool fsync)
    {
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0))
        {
            file.SetLength(length);
            if (fsync) file.Flush(flushToDisk: true);
        }
    }

    private sealed class ScanState
    {
        public ulong ExpectedSequence = 1;
        public UInt128 PreviousHash;
        public long Records;
        public long Events;
        public long Bytes;
        public long TruncatedBytes;
        public long ReadTicks;

        public void Advance(in RecordHeader header, UInt128 chain)
        {
            ExpectedSequence = header.Sequence + 1;
            PreviousHash = chain;
            Records++;
            Events += header.EventCount;
            Bytes += header.RecordLength;
        }
    }
}

/// <summary>
/// A sliding read window over one segment file, so recovery reads large sequential chunks. Reads are
/// 4 KiB-aligned into an aligned buffer so the file can be read with O_DIRECT (1.6 GB/s here, no copy
/// through the page cache, where segments written with O_DIRECT are not anyway); file systems that
/// refuse O_DIRECT are read buffered with kernel read-ahead.
/// </summary>
internal sealed class SegmentWindow : IDisposable
{
    private const int BufferBytes = 8 * 1024 * 1024;
    private const int Alignment = RecordHeader.Alignment;
    private readonly FileStream _file;
    private readonly bool _direct;
    private readonly Memory<byte> _buffer;
    private long _bufferStart;
    private int _bufferLength;

    public SegmentWindow(string path)
    {
        _file = DurableFile.OpenForScan(path, out _direct);
        FileLength = _file.Length;
        var capacity = Math.Max(BufferBytes, 2 * RecordHeader.MaxPaddedRecordLength + Alignment);
        var array = GC.AllocateUninitializedArray<byte>(capacity + Alignment, pinned: true);
        _buffer = array.AsMemory(DurableFile.AlignmentOffset(array), capacity);
    }

    public long FileLength { get; }

    /// <summary>Stopwatch ticks spent waiting for reads.</summary>
    public long ReadTicks { get; private set; }

    /// <summary>Up to <paramref name="want"/> bytes from <paramref name="offset"/> (fewer only at the end of the file).</summary>
    public ReadOnlySpan<byte> At(long offset, int want)
    {
        var available = (int)Math.Min(want, FileLength - offset);
        if (offset < _bufferStart || offset + available > _bufferStart + _bufferLength) Fill(offset);
        var start = (int)(offset - _bufferStart);
        return _buffer.Span.Slice(start, Math.Min(available, _bufferLength - start));
    }

    private void Fill(long offset)
    {
        // Keep bytes already read from the aligned start on, then read on from where they end.
        var aligned = offset & ~(long)(Alignment - 1);
        var keepFrom = aligned - _bufferStart;
        if (aligned >= _bufferStart && keepFrom < _bufferLength)
        {
            var keep = _bufferLength - (int)keepFrom;
            _buffer.Span.Slice((int)keepFrom, keep).CopyTo(_buffer.Span);
            _bufferLength = keep;
        }
        else
        {
            _bufferLength = 0;
        }
        _bufferStart = aligned;
        var started = Stopwatch.GetTimestamp();
        var readFrom = _bufferStart + _bufferLength;
        if (!_direct) DurableFile.ReadAhead(_file, readFrom, Math.Min(2L * _buffer.Length, FileLength - readFrom));
        while (_bufferLength < _buffer.Length && _bufferStart + _bufferLength < FileLength)
        {
            var read = RandomAccess.Read(_file.SafeFileHandle, _buffer.Span[_bufferLength..], _bufferStart + _bufferLength);
            if (read == 0) break;
            _bufferLength += read;
        }
        ReadTicks += Stopwatch.GetTimestamp() - started;
    }

    public void Dispose() => _file.Dispose();
}
