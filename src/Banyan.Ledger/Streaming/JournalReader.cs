using System.Buffers.Binary;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Streaming;

/// <summary>
/// Reads verified records from the journal files in sequence order, up to a limit the caller knows to
/// be durable (records beyond it may still be being written). Verifies each record (checksum, decoder
/// checks, sequence, hash chain from the first record read on). Holds one record buffer, so a reader's
/// memory is bounded however far behind it is. Not thread-safe: one per subscriber.
/// </summary>
internal sealed class JournalReader(string directory) : IJournalCursor
{
    private readonly byte[] _buffer = new byte[RecordHeader.MaxPaddedRecordLength];
    private FileStream? _file;
    private string _path = "";
    private long _offset;
    private ulong _expected;      // sequence of the next record physically in the open segment
    private UInt128? _previous;   // chain hash of the last record read (unknown before the first)

    /// <summary>The chain hash of the last record returned or skipped.</summary>
    public UInt128 LastHash => _previous ?? default;

    /// <summary>
    /// The next record with sequence ≥ <paramref name="from"/> and ≤ <paramref name="limit"/>, or false
    /// when the next one is beyond <paramref name="limit"/>. Throws <see cref="LedgerCorruptException"/>
    /// on anything that does not verify.
    /// </summary>
    public bool TryRead(ulong from, ulong limit, out RecordHeader header, out ReadOnlyMemory<byte> body, out UInt128 chainHash)
    {
        header = default;
        body = default;
        chainHash = default;
        if (_file is null) OpenSegmentFor(Math.Max(from, 1), limit);
        while (_file is not null && _expected <= limit)
        {
            if (!ReadNext(out header, out body, out chainHash)) continue;
            if (header.Sequence >= from) return true;
        }
        return false;
    }

    /// <summary>Reads the record at the current offset; false when it moved to the next segment instead.</summary>
    private bool ReadNext(out RecordHeader header, out ReadOnlyMemory<byte> body, out UInt128 chainHash)
    {
        header = default;
        body = default;
        chainHash = default;
        var headerBytes = _buffer.AsSpan(0, RecordHeader.Size);
        if (RandomAccess.Read(_file!.SafeFileHandle, headerBytes, _offset) < RecordHeader.Size)
        {
            NextSegment();
            return false;
        }
        var length = RecordHeader.Size + Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(headerBytes[16..]), 0, RecordHeader.MaxBodyLength);
        var read = RandomAccess.Read(_file.SafeFileHandle, _buffer.AsSpan(RecordHeader.Size, length - RecordHeader.Size), _offset + RecordHeader.Size);
        var bytes = _buffer.AsSpan(0, RecordHeader.Size + read);
        if (RecordCodec.TryDecode(bytes, out header, out var problem) != DecodeStatus.Valid) throw RecordCodec.Corrupt(_path, _offset, problem);
        if (header.Sequence != _expected) throw RecordCodec.Corrupt(_path, _offset, $"sequence {header.Sequence} where {_expected} was expected");
        if (_previous is { } previous && header.PreviousHash != previous)
            throw RecordCodec.Corrupt(_path, _offset, "the hash chain is broken (previous-record hash does not match)");
        chainHash = RecordHeader.ChainHash(bytes);
        body = _buffer.AsMemory(RecordHeader.Size, header.BodyLength);
        _previous = chainHash;
        _expected = header.Sequence + 1;
        _offset += RecordHeader.Padded(header.RecordLength);
        return true;
    }

    /// <summary>Opens the segment holding <paramref name="sequence"/> (the newest whose first sequence is ≤ it).</summary>
    private void OpenSegmentFor(ulong sequence, ulong limit)
    {
        if (sequence > limit) return; // nothing durable to read yet: open nothing, so a later call sees new segments
        (ulong First, string Path)? best = null;
        foreach (var segment in JournalScanner.ListSegments(directory))
        {
            if (segment.First <= sequence) best = segment;
        }
        if (best is not { } found)
            throw new LedgerCorruptException($"Ledger journal in '{directory}' has no segment holding record {sequence}.") { FilePath = directory };
        Open(found.First, found.Path);
    }

    private void NextSegment()
    {
        var path = Path.Combine(directory, JournalWriter.SegmentName(_expected));
        if (!File.Exists(path))
            throw RecordCodec.Corrupt(_path, _offset, $"the segment ends but the next segment (for record {_expected}) does not exist");
        Open(_expected, path);
    }

    private void Open(ulong first, string path)
    {
        _file?.Dispose();
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        _path = path;
        _offset = 0;
        _expected = first;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
