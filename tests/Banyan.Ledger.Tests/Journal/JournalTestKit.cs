using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Tests.Journal;

/// <summary>A temporary ledger directory, deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "banyan-ledger-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp directory is harmless
        }
    }
}

/// <summary>Builds journal records with opaque payloads (the journal never interprets event bytes).</summary>
internal static class JournalTestKit
{
    public const long SmallSegment = 2L * 1024 * 1024;

    /// <summary>An unsealed record (header without previous hash/checksum) with random events.</summary>
    public static byte[] Record(Random random, ulong sequence, ulong firstTimestamp, params int[] eventCounts)
    {
        var events = eventCounts.Sum();
        var kind = events == 0 ? RecordKind.Pulse : RecordKind.CreateTransfers;
        var body = RecordHeader.BodyLengthFor(eventCounts.Length, events);
        var record = new byte[RecordHeader.Size + body];
        random.NextBytes(record.AsSpan(RecordHeader.Size + eventCounts.Length * RecordHeader.DescriptorSize));
        var timestamp = firstTimestamp;
        for (var i = 0; i < eventCounts.Length; i++)
        {
            new RequestDescriptor(timestamp, eventCounts[i]).Write(record.AsSpan(RecordHeader.Size + i * RecordHeader.DescriptorSize));
            timestamp += (ulong)Math.Max(eventCounts[i], 1);
        }
        new RecordHeader(kind, sequence, body, eventCounts.Length, events, default, default).WriteWithoutChecksum(record);
        return record;
    }

    /// <summary>Appends <paramref name="count"/> random records in groups, returning each sealed record's bytes.</summary>
    public static List<byte[]> Append(JournalWriter writer, Random random, int count, int maxEvents = 200)
    {
        var written = new List<byte[]>();
        var group = new List<PendingRecord>();
        for (var i = 0; i < count; i++)
        {
            var requests = random.Next(1, 4);
            var counts = Enumerable.Range(0, requests).Select(_ => random.Next(1, maxEvents)).ToArray();
            var sequence = writer.LastSequence + (ulong)group.Count + 1;
            var record = Record(random, sequence, sequence * 1_000_000, counts);
            var padded = new byte[RecordHeader.Padded(record.Length)];
            record.CopyTo(padded, 0);
            group.Add(new PendingRecord(padded, record.Length));
            if (group.Count == 3 || i == count - 1)
            {
                writer.Append(group);
                written.AddRange(group.Select(r => r.Buffer[..r.Length].ToArray()));
                group.Clear();
            }
        }
        return written;
    }

    public static List<(RecordHeader Header, byte[] Body)> ScanAll(string directory, out JournalTail tail)
    {
        var seen = new List<(RecordHeader, byte[])>();
        tail = JournalScanner.Scan(directory, fsync: false, (in RecordHeader h, ReadOnlySpan<byte> body, UInt128 _) => seen.Add((h, body.ToArray())), out _);
        return seen;
    }

    public static JournalWriter OpenWriter(string directory, long segmentBytes = SmallSegment)
    {
        var tail = JournalScanner.Scan(directory, fsync: false, (in RecordHeader _, ReadOnlySpan<byte> _, UInt128 _) => { }, out _);
        return new JournalWriter(directory, segmentBytes, fsync: true, tail);
    }

    /// <summary>File offsets of every record in a segment (walking the headers).</summary>
    public static List<long> RecordOffsets(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var offsets = new List<long>();
        long offset = 0;
        while (offset < bytes.Length)
        {
            offsets.Add(offset);
            offset += RecordHeader.Padded(RecordHeader.Read(bytes.AsSpan((int)offset)).RecordLength);
        }
        return offsets;
    }

    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x5A));
    }
}
