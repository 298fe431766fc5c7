using System.Buffers.Binary;

namespace Banyan.Ledger.Journal;

/// <summary>How a byte range looks when read as a journal record.</summary>
internal enum DecodeStatus
{
    /// <summary>A complete record whose header, descriptors and checksum all verify.</summary>
    Valid,
    /// <summary>The bytes end before the record does (at a file's end: a torn write).</summary>
    Incomplete,
    /// <summary>Not a record: wrong magic, impossible lengths, checksum mismatch or bad descriptors.</summary>
    Invalid,
}

/// <summary>
/// Verifies journal records. Pure functions over spans: never throws on any input (every problem is a
/// <see cref="DecodeStatus"/>), so recovery can decide between a torn tail and corruption, and the
/// throwing <see cref="Decode"/> wrapper turns any problem into <see cref="LedgerCorruptException"/>.
/// </summary>
internal static class RecordCodec
{
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> data, out RecordHeader header, out string problem)
    {
        header = default;
        if (data.Length < RecordHeader.Size) return Fail(DecodeStatus.Incomplete, "the record header is cut short", out problem);
        header = RecordHeader.Read(data);
        if (!HeaderShapeIsValid(data, header, out problem)) return DecodeStatus.Invalid;
        if (data.Length - RecordHeader.Size < header.BodyLength) return Fail(DecodeStatus.Incomplete, "the record body is cut short", out problem);
        var body = data.Slice(RecordHeader.Size, header.BodyLength);
        if (RecordHeader.ComputeChecksum(data, body) != header.Checksum) return Fail(DecodeStatus.Invalid, "the record checksum does not match", out problem);
        if (!DescriptorsAreValid(header, body, out problem)) return DecodeStatus.Invalid;
        problem = "";
        return DecodeStatus.Valid;
    }

    /// <summary>Decodes one record or throws <see cref="LedgerCorruptException"/> naming <paramref name="file"/> and <paramref name="offset"/>.</summary>
    public static RecordHeader Decode(ReadOnlySpan<byte> data, string file, long offset)
    {
        var status = TryDecode(data, out var header, out var problem);
        if (status != DecodeStatus.Valid) throw Corrupt(file, offset, problem);
        return header;
    }

    public static LedgerCorruptException Corrupt(string file, long offset, string problem) =>
        new($"Ledger journal '{file}' is corrupt at byte offset {offset}: {problem}. The ledger refuses to start; restore the file from a replica or backup.")
        {
            FilePath = file,
            Offset = offset,
        };

    /// <summary>The request descriptors of a verified record's body.</summary>
    public static RequestDescriptor Descriptor(ReadOnlySpan<byte> body, int index) =>
        RequestDescriptor.Read(body.Slice(index * RecordHeader.DescriptorSize, RecordHeader.DescriptorSize));

    /// <summary>The events of a verified record's body (after all descriptors).</summary>
    public static ReadOnlySpan<byte> Events(ReadOnlySpan<byte> body, int requestCount) =>
        body[(requestCount * RecordHeader.DescriptorSize)..];

    private static bool HeaderShapeIsValid(ReadOnlySpan<byte> data, RecordHeader h, out string problem)
    {
        problem = "";
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) != RecordHeader.Magic) problem = "bad magic";
        else if (BinaryPrimitives.ReadUInt16LittleEndian(data[4..]) != RecordHeader.FormatVersion) problem = "unknown format version";
        else if (h.Kind is not (RecordKind.CreateAccounts or RecordKind.CreateTransfers or RecordKind.Pulse)) problem = "unknown record kind";
        else if (data[7] != 0 || BinaryPrimitives.ReadUInt32LittleEndian(data[28..]) != 0) problem = "reserved header bytes are not zero";
        else if (h.Sequence == 0) problem = "sequence number 0";
        else if (!CountsAreValid(h)) problem = "impossible request/event counts or body length";
        return problem.Length == 0;
    }

    private static bool CountsAreValid(RecordHeader h)
    {
        if (h.EventCount < 0 || h.EventCount > RecordHeader.MaxEventsPerRecord) return false;
        if (h.RequestCount < 1 || h.RequestCount > RecordHeader.MaxRequestsPerRecord) return false;
        var shapeOk = h.Kind == RecordKind.Pulse
            ? h.RequestCount == 1 && h.EventCount == 0
            : h.EventCount >= 1 && h.RequestCount <= h.EventCount;
        return shapeOk && h.BodyLength == RecordHeader.BodyLengthFor(h.RequestCount, h.EventCount);
    }

    /// <summary>Descriptors must add up to the event count, and timestamps must strictly increase across events.</summary>
    private static bool DescriptorsAreValid(RecordHeader h, ReadOnlySpan<byte> body, out string problem)
    {
        problem = "";
        long events = 0;
        ulong nextAllowed = 1;
        for (var i = 0; i < h.RequestCount; i++)
        {
            var d = Descriptor(body, i);
            var reserved = BinaryPrimitives.ReadUInt32LittleEndian(body[(i * RecordHeader.DescriptorSize + 12)..]);
            var minEvents = h.Kind == RecordKind.Pulse ? 0 : 1;
            if (reserved != 0 || d.EventCount < minEvents || d.Timestamp < nextAllowed || ulong.MaxValue - d.Timestamp < (ulong)Math.Max(d.EventCount, 1))
            {
                problem = $"request descriptor {i} is invalid";
                return false;
            }
            events += d.EventCount;
            nextAllowed = d.Timestamp + (ulong)Math.Max(d.EventCount, 1);
        }
        if (events != h.EventCount) problem = "request descriptors do not add up to the event count";
        return problem.Length == 0;
    }

    private static DecodeStatus Fail(DecodeStatus status, string text, out string problem)
    {
        problem = text;
        return status;
    }
}
