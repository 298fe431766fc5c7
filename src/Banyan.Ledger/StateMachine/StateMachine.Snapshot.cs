using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Banyan.Ledger;

/// <summary>
/// Digest and snapshot. Snapshot format v1 (little-endian):
/// <c>magic "BNYNSMv1" (8) | version u32 | header size u32 | last timestamp u64 | account count i64 |
/// transfer count i64 | XxHash64 of the preceding 40 header bytes (8) | accounts (count × 128) |
/// transfers (count × 128) | pending status (count × 1) | XxHash128 of all preceding bytes (16)</c>.
/// The header has its own checksum so a damaged count is refused before anything is allocated. The expiry queue and hash indexes are derived and rebuilt on load.
/// </summary>
internal sealed partial class StateMachine
{
    private const ulong SnapshotMagic = 0x31764D534E594E42UL; // "BNYNSMv1" read as little-endian u64
    private const uint SnapshotVersion = 1;
    private const int SnapshotHeaderBytes = 48;

    /// <summary>A hash of the whole state (accounts, transfers, pending status); equal states have equal digests.</summary>
    public UInt128 Digest()
    {
        var hash = new XxHash128();
        Span<byte> counts = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(counts, _accountCount);
        BinaryPrimitives.WriteInt64LittleEndian(counts[8..], _transfers.Count);
        hash.Append(counts);
        hash.Append(MemoryMarshal.AsBytes(_accounts.AsSpan(0, _accountCount)));
        for (var chunk = 0; chunk < _transfers.UsedChunks; chunk++)
        {
            hash.Append(MemoryMarshal.AsBytes(_transfers.ChunkSpan(chunk)));
            hash.Append(_transfers.StatusSpan(chunk));
        }
        return hash.GetCurrentHashAsUInt128();
    }

    public void WriteSnapshot(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Snapshots are little-endian.");
        var hash = new XxHash128();
        Span<byte> header = stackalloc byte[SnapshotHeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(header, SnapshotMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], SnapshotVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], SnapshotHeaderBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], _lastTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], _accountCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], _transfers.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(header[40..], XxHash64.HashToUInt64(header[..40]));
        Write(destination, hash, header);
        Write(destination, hash, MemoryMarshal.AsBytes(_accounts.AsSpan(0, _accountCount)));
        for (var chunk = 0; chunk < _transfers.UsedChunks; chunk++) Write(destination, hash, MemoryMarshal.AsBytes(_transfers.ChunkSpan(chunk)));
        for (var chunk = 0; chunk < _transfers.UsedChunks; chunk++) Write(destination, hash, _transfers.StatusSpan(chunk));
        Span<byte> checksum = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(checksum, hash.GetCurrentHashAsUInt128());
        destination.Write(checksum);
    }

    /// <summary>Loads a snapshot written by <see cref="WriteSnapshot"/>.</summary>
    /// <exception cref="LedgerCorruptException">The snapshot is truncated, of another format, or fails its checksum.</exception>
    public static StateMachine ReadSnapshot(Stream source) => ReadSnapshot(source, 0, 0);

    /// <summary>Loads a snapshot, preallocating at least the given capacities (the counts in the snapshot always fit).</summary>
    public static StateMachine ReadSnapshot(Stream source, int accountCapacity, long transferCapacity)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = new XxHash128();
        Span<byte> header = stackalloc byte[SnapshotHeaderBytes];
        Read(source, hash, header, "header");
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != SnapshotMagic) throw Corrupt("bad magic (not a Banyan state-machine snapshot)", 0);
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[40..]) != XxHash64.HashToUInt64(header[..40])) throw Corrupt("header checksum mismatch", 40);
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != SnapshotVersion) throw Corrupt($"unsupported version {version} (expected {SnapshotVersion})", 8);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != SnapshotHeaderBytes) throw Corrupt("bad header size", 12);
        var lastTimestamp = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        var accounts = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        var transfers = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        if (accounts < 0 || accounts > Array.MaxLength) throw Corrupt($"implausible account count {accounts}", 24);
        if (transfers < 0 || transfers > IdIndex.MaxPositions) throw Corrupt($"implausible transfer count {transfers}", 32);
        var bodyBytes = ((accounts + transfers) * 128) + transfers + 16;
        if (source.CanSeek && source.Length - source.Position < bodyBytes)
        {
            throw Corrupt($"truncated: {source.Length - source.Position} bytes after the header, {bodyBytes} expected", SnapshotHeaderBytes);
        }

        var machine = new StateMachine(Math.Max(accountCapacity, (int)accounts), Math.Max(transferCapacity, transfers));
        machine.LoadBody(source, hash, (int)accounts, transfers);
        Span<byte> checksum = stackalloc byte[16];
        var offset = SnapshotHeaderBytes + ((accounts + transfers) * 128) + transfers;
        ReadExactly(source, checksum, "checksum", offset);
        if (BinaryPrimitives.ReadUInt128LittleEndian(checksum) != hash.GetCurrentHashAsUInt128()) throw Corrupt("checksum mismatch", offset);
        machine._lastTimestamp = lastTimestamp;
        machine.RebuildDerived();
        return machine;
    }

    private void LoadBody(Stream source, XxHash128 hash, int accounts, long transfers)
    {
        Read(source, hash, MemoryMarshal.AsBytes(_accounts.AsSpan(0, accounts)), "accounts");
        _accountCount = accounts;
        _transfers.SetCount(transfers);
        for (var chunk = 0; chunk < _transfers.UsedChunks; chunk++)
        {
            Read(source, hash, MemoryMarshal.AsBytes(_transfers.WritableChunk(chunk, _transfers.ChunkSpan(chunk).Length)), "transfers");
        }
        for (var chunk = 0; chunk < _transfers.UsedChunks; chunk++)
        {
            var status = _transfers.WritableStatus(chunk, _transfers.StatusSpan(chunk).Length);
            Read(source, hash, status, "pending status");
            foreach (var b in status)
            {
                if (b > (byte)PendingStatus.Expired) throw Corrupt($"invalid pending status {b}", -1);
            }
        }
    }

    /// <summary>Rebuilds the hash indexes and the expiry queue from the tables.</summary>
    private void RebuildDerived()
    {
        _accountIndex.Rebuild(_accountCount, new AccountKeys(_accounts));
        _transferIndex.Rebuild(_transfers.Count, new TransferKeys(_transfers));
        if (_accountIndex.Count != _accountCount || _transferIndex.Count != _transfers.Count) throw Corrupt("index rebuild mismatch", -1);
        for (long position = 0; position < _transfers.Count; position++)
        {
            if (_transfers.StatusAt(position) != PendingStatus.Pending) continue;
            ref readonly var p = ref _transfers.At(position);
            if (p.Timeout != 0 && TryDeadline(p.Timestamp, p.Timeout, out var deadline)) _expiries.Enqueue(position, deadline);
        }
    }

    private static void Write(Stream destination, XxHash128 hash, ReadOnlySpan<byte> bytes)
    {
        hash.Append(bytes);
        destination.Write(bytes);
    }

    private static void Read(Stream source, XxHash128 hash, Span<byte> bytes, string section)
    {
        ReadExactly(source, bytes, section, -1);
        hash.Append(bytes);
    }

    private static void ReadExactly(Stream source, Span<byte> bytes, string section, long offset)
    {
        var read = source.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read != bytes.Length) throw Corrupt($"truncated in the {section} section ({read} of {bytes.Length} bytes)", offset);
    }

    private static LedgerCorruptException Corrupt(string what, long offset) =>
        new($"State-machine snapshot is damaged: {what}.") { Offset = offset };
}
