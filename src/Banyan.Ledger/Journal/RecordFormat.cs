using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Banyan.Ledger.Journal;

/// <summary>What a journal record asks the state machine to do.</summary>
internal enum RecordKind : byte
{
    CreateAccounts = 1,
    CreateTransfers = 2,
    Pulse = 3,
}

/// <summary>
/// The fixed 64-byte header in front of every journal record (little-endian, see docs/ledger-journal.md):
/// <code>
///  0 u32 magic "BNYJ"     4 u16 format version   6 u8 kind   7 u8 reserved (0)
///  8 u64 sequence        16 u32 body length     20 u32 request count   24 u32 event count   28 u32 reserved (0)
/// 32 16B previous hash (first 16 bytes of SHA-256 over the previous record's 64-byte header; zero for sequence 1)
/// 48 16B checksum (XXH128 over header bytes 0..48 followed by the body)
/// </code>
/// The body is <c>request count</c> descriptors {u64 timestamp, u32 event count, u32 reserved} followed
/// by the raw 128-byte events of all requests, in order.
/// </summary>
internal readonly record struct RecordHeader(
    RecordKind Kind, ulong Sequence, int BodyLength, int RequestCount, int EventCount, UInt128 PreviousHash, UInt128 Checksum)
{
    public const int Size = 64;
    public const uint Magic = 0x4A594E42; // "BNYJ" read as little-endian u32
    public const ushort FormatVersion = 1;
    public const int DescriptorSize = 16;
    public const int EventSize = 128;
    public const int MaxEventsPerRecord = LedgerEngine.MaxBatchEvents;

    /// <summary>A record never holds more requests than events (+1 for a pulse, which has no events).</summary>
    public const int MaxRequestsPerRecord = MaxEventsPerRecord;
    public const int MaxBodyLength = MaxRequestsPerRecord * DescriptorSize + MaxEventsPerRecord * EventSize;
    public const int MaxRecordLength = Size + MaxBodyLength;

    public int RecordLength => Size + BodyLength;

    /// <summary>Records start on 4 KiB boundaries; the gap after a record is zero padding (O_DIRECT needs aligned writes).</summary>
    public const int Alignment = 4096;

    public static int Padded(int length) => (length + Alignment - 1) & ~(Alignment - 1);

    /// <summary>Buffer capacity for any record including its padding.</summary>
    public static int MaxPaddedRecordLength => Padded(MaxRecordLength);

    public static int BodyLengthFor(int requestCount, int eventCount) => requestCount * DescriptorSize + eventCount * EventSize;

    /// <summary>Writes every field except the checksum (bytes 48..64 are left untouched).</summary>
    public void WriteWithoutChecksum(Span<byte> header)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
        header[6] = (byte)Kind;
        header[7] = 0;
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], BodyLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], RequestCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], EventCount);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], 0);
        BinaryPrimitives.WriteUInt128LittleEndian(header[32..], PreviousHash);
    }

    /// <summary>Reads the raw fields without judging them (see <see cref="RecordCodec"/> for validation).</summary>
    public static RecordHeader Read(ReadOnlySpan<byte> header) => new(
        (RecordKind)header[6],
        BinaryPrimitives.ReadUInt64LittleEndian(header[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[16..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[20..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[24..]),
        BinaryPrimitives.ReadUInt128LittleEndian(header[32..]),
        BinaryPrimitives.ReadUInt128LittleEndian(header[48..]));

    /// <summary>XXH128 over header bytes 0..48 then the body: one pass, no copy.</summary>
    public static UInt128 ComputeChecksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var hash = new XxHash128();
        hash.Append(header[..48]);
        hash.Append(body);
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>The chain link: the first 16 bytes of SHA-256 over a complete 64-byte header.</summary>
    public static UInt128 ChainHash(ReadOnlySpan<byte> header)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(header[..Size], digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}

/// <summary>One request inside a record: its timestamp and how many events it has.</summary>
internal readonly record struct RequestDescriptor(ulong Timestamp, int EventCount)
{
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], EventCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], 0);
    }

    public static RequestDescriptor Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadInt32LittleEndian(source[8..]));
}
