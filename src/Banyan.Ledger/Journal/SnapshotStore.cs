using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace Banyan.Ledger.Journal;

/// <summary>What a snapshot reflects: the state after journal record <see cref="Sequence"/>.</summary>
/// <param name="Sequence">The last journal record applied to the saved state.</param>
/// <param name="RecordHash">The chain hash of that record's header, checked against the journal on recovery.</param>
/// <param name="LastTimestamp">The highest timestamp the engine had assigned (requests and pulses).</param>
internal readonly record struct SnapshotInfo(ulong Sequence, UInt128 RecordHash, ulong LastTimestamp);

/// <summary>
/// Snapshot files <c>snapshot-{sequence}.snap</c>: a 64-byte header then the state machine's own payload.
/// Header (little-endian): 0 u32 magic "BNYS", 4 u16 version, 6 u16 reserved, 8 u64 sequence,
/// 16 u64 last timestamp, 24 u64 payload length, 32 16B record chain hash, 48 16B XXH128 over the
/// payload followed by header bytes 0..48. Written to a temp file, fsync'd, renamed, directory fsync'd,
/// so a snapshot is either complete or absent. Snapshots are derived data: the newest two are kept.
/// </summary>
internal static class SnapshotStore
{
    public const uint Magic = 0x53594E42; // "BNYS"
    public const ushort Version = 1;
    private const int HeaderSize = 64;
    private const string Prefix = "snapshot-";
    private const string Suffix = ".snap";
    private const string TempSuffix = ".tmp";

    public static string FileName(ulong sequence) => $"{Prefix}{sequence.ToString("D12", CultureInfo.InvariantCulture)}{Suffix}";

    public static string Write(string directory, SnapshotInfo info, Action<Stream> writePayload, bool fsync)
    {
        var final = Path.Combine(directory, FileName(info.Sequence));
        var temp = final + TempSuffix;
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
        {
            file.Write(new byte[HeaderSize]);
            using (var hashing = new HashingWriteStream(file))
            {
                writePayload(hashing);
                Span<byte> header = stackalloc byte[HeaderSize];
                WriteHeader(header, info, hashing.Length);
                hashing.Hash.Append(header[..48]);
                BinaryPrimitives.WriteUInt128LittleEndian(header[48..], hashing.Hash.GetCurrentHashAsUInt128());
                file.Position = 0;
                file.Write(header);
            }
            file.Flush(flushToDisk: fsync);
        }
        File.Move(temp, final, overwrite: true);
        if (fsync) DurableFile.SyncDirectory(directory);
        return final;
    }

    /// <summary>Snapshot files, newest first.</summary>
    public static List<(ulong Sequence, string Path)> ListNewestFirst(string directory)
    {
        var list = new List<(ulong, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var digits = Path.GetFileName(path)[Prefix.Length..^Suffix.Length];
            if (digits.Length == 12 && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                list.Add((sequence, path));
        }
        list.Sort((a, b) => b.Item1.CompareTo(a.Item1));
        return list;
    }

    /// <summary>Verifies and loads a snapshot; any problem (bad header, checksum, payload the loader rejects) returns false with a reason.</summary>
    public static bool TryRead<T>(string path, Func<Stream, T> readPayload, out T? value, out SnapshotInfo info, out string problem)
        where T : class
    {
        value = null;
        info = default;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (file.Length < HeaderSize || file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) != HeaderSize)
            return Fail("the header is cut short", out problem);
        if (!HeaderIsValid(header, file.Length, out info, out problem)) return false;
        if (PayloadChecksum(file, header) != BinaryPrimitives.ReadUInt128LittleEndian(header[48..]))
            return Fail("the checksum does not match", out problem);
        file.Position = HeaderSize;
        try
        {
            value = readPayload(file);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail($"the state could not be loaded ({ex.GetType().Name}: {ex.Message})", out problem);
        }
        problem = "";
        return true;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshots and any temp file left by a crash.</summary>
    public static void Prune(string directory, int keep)
    {
        foreach (var temp in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix + TempSuffix)) File.Delete(temp);
        var all = ListNewestFirst(directory);
        for (var i = keep; i < all.Count; i++) File.Delete(all[i].Path);
    }

    private static void WriteHeader(Span<byte> header, SnapshotInfo info, long payloadLength)
    {
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], info.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], info.LastTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], payloadLength);
        BinaryPrimitives.WriteUInt128LittleEndian(header[32..], info.RecordHash);
    }

    private static bool HeaderIsValid(ReadOnlySpan<byte> header, long fileLength, out SnapshotInfo info, out string problem)
    {
        info = new SnapshotInfo(
            BinaryPrimitives.ReadUInt64LittleEndian(header[8..]),
            BinaryPrimitives.ReadUInt128LittleEndian(header[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[16..]));
        problem = "";
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic) problem = "bad magic";
        else if (BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) != Version) problem = "unknown version";
        else if (BinaryPrimitives.ReadUInt64LittleEndian(header[24..]) != (ulong)(fileLength - HeaderSize)) problem = "the payload length does not match the file";
        else if (info.Sequence == 0) problem = "sequence 0";
        return problem.Length == 0;
    }

    private static UInt128 PayloadChecksum(FileStream file, ReadOnlySpan<byte> header)
    {
        var hash = new XxHash128();
        var buffer = new byte[1 << 20];
        file.Position = HeaderSize;
        int read;
        while ((read = file.Read(buffer)) > 0) hash.Append(buffer.AsSpan(0, read));
        hash.Append(header[..48]);
        return hash.GetCurrentHashAsUInt128();
    }

    private static bool Fail(string text, out string problem)
    {
        problem = text;
        return false;
    }

    /// <summary>Forwards writes to the file while hashing them; the state machine never sees the header.</summary>
    private sealed class HashingWriteStream(Stream inner) : Stream
    {
        public XxHash128 Hash { get; } = new();
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Hash.Append(buffer);
            inner.Write(buffer);
            _length += buffer.Length;
        }

        public override void WriteByte(byte value) => Write([value]);

        // Leave the file open: the store rewrites the header after the payload.
        protected override void Dispose(bool disposing) => base.Dispose(disposing);
    }
}
