using Banyan.Ledger.Journal;
using static Banyan.Ledger.Tests.Journal.JournalTestKit;

namespace Banyan.Ledger.Tests.Journal;

public sealed class JournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Records_round_trip_across_segments_and_reopen_continues_the_chain()
    {
        var random = new Random(1);
        List<byte[]> written;
        using (var writer = OpenWriter(_dir.Path))
        {
            written = Append(writer, random, 150, maxEvents: 400);
        }
        using (var writer = OpenWriter(_dir.Path))
        {
            Assert.Equal(150UL, writer.LastSequence);
            written.AddRange(Append(writer, random, 10));
        }

        var seen = ScanAll(_dir.Path, out var tail);

        Assert.True(JournalScanner.ListSegments(_dir.Path).Count > 2, "the test should span several segments");
        Assert.Equal(written.Count, seen.Count);
        for (var i = 0; i < written.Count; i++)
        {
            Assert.Equal((ulong)(i + 1), seen[i].Header.Sequence);
            Assert.Equal(written[i].AsSpan(RecordHeader.Size).ToArray(), seen[i].Body);
        }
        Assert.Equal(160UL, tail.LastSequence);
    }

    [Fact]
    public void A_record_cut_mid_way_at_the_tail_is_truncated_and_appending_resumes()
    {
        var random = new Random(2);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 5);
        var segment = JournalScanner.ListSegments(_dir.Path)[^1].Path;
        var offsets = RecordOffsets(segment);
        var lastStart = offsets[^1];
        var length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(lastStart + (length - lastStart) / 2);

        var seen = ScanAll(_dir.Path, out var tail);

        Assert.Equal(4, seen.Count);
        Assert.Equal(4UL, tail.LastSequence);
        Assert.Equal(lastStart, new FileInfo(segment).Length);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 2);
        Assert.Equal(6, ScanAll(_dir.Path, out _).Count);
    }

    [Fact]
    public void Garbage_after_the_last_record_is_a_torn_tail_and_is_cut_off()
    {
        var random = new Random(3);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 4);
        var segment = JournalScanner.ListSegments(_dir.Path)[^1].Path;
        var length = new FileInfo(segment).Length;
        var garbage = new byte[5000];
        random.NextBytes(garbage);
        using (var file = new FileStream(segment, FileMode.Append)) file.Write(garbage);

        var seen = ScanAll(_dir.Path, out _);

        Assert.Equal(4, seen.Count);
        Assert.Equal(length, new FileInfo(segment).Length);
    }

    [Fact]
    public void A_flipped_byte_in_a_middle_record_refuses_to_open_naming_file_and_offset()
    {
        var random = new Random(4);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 6);
        var segment = JournalScanner.ListSegments(_dir.Path)[^1].Path;
        var offsets = RecordOffsets(segment);
        FlipByte(segment, offsets[2] + RecordHeader.Size + 100);
        var before = File.ReadAllBytes(segment);

        var error = Assert.Throws<LedgerCorruptException>(() => ScanAll(_dir.Path, out _));

        Assert.Equal(segment, error.FilePath);
        Assert.Equal(offsets[2], error.Offset);
        Assert.Contains(Path.GetFileName(segment), error.Message);
        Assert.Contains(offsets[2].ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Equal(before, File.ReadAllBytes(segment)); // corruption is never "repaired" by truncation
    }

    [Fact]
    public void A_flipped_byte_in_a_header_of_a_middle_record_is_corruption_too()
    {
        var random = new Random(5);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 6);
        var segment = JournalScanner.ListSegments(_dir.Path)[^1].Path;
        var offsets = RecordOffsets(segment);
        FlipByte(segment, offsets[3] + 17); // body length

        var error = Assert.Throws<LedgerCorruptException>(() => ScanAll(_dir.Path, out _));

        Assert.Equal(offsets[3], error.Offset);
    }

    [Fact]
    public void A_bad_last_record_of_a_closed_segment_is_corruption_not_a_torn_tail()
    {
        var random = new Random(6);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 150, maxEvents: 400);
        var segments = JournalScanner.ListSegments(_dir.Path);
        Assert.True(segments.Count >= 2);
        var first = segments[0].Path;
        var offsets = RecordOffsets(first);
        FlipByte(first, offsets[^1] + RecordHeader.Size + 3);

        var error = Assert.Throws<LedgerCorruptException>(() => ScanAll(_dir.Path, out _));

        Assert.Equal(first, error.FilePath);
        Assert.Equal(offsets[^1], error.Offset);
    }

    [Fact]
    public void A_missing_segment_is_corruption()
    {
        var random = new Random(7);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 150, maxEvents: 400);
        var segments = JournalScanner.ListSegments(_dir.Path);
        Assert.True(segments.Count >= 3);
        File.Delete(segments[1].Path);

        var error = Assert.Throws<LedgerCorruptException>(() => ScanAll(_dir.Path, out _));

        Assert.Equal(segments[2].Path, error.FilePath);
    }

    [Fact]
    public void A_record_spliced_in_from_another_journal_breaks_the_hash_chain()
    {
        var random = new Random(8);
        using var other = new TempDirectory();
        using (var writer = OpenWriter(other.Path)) Append(writer, random, 3);
        using (var writer = OpenWriter(_dir.Path)) Append(writer, random, 3);
        var segment = JournalScanner.ListSegments(_dir.Path)[0].Path;
        var foreign = JournalScanner.ListSegments(other.Path)[0].Path;
        var foreignRecord3 = File.ReadAllBytes(foreign).AsSpan((int)RecordOffsets(foreign)[2]).ToArray();
        var mine = File.ReadAllBytes(segment);
        var spliced = mine.AsSpan(0, (int)RecordOffsets(segment)[2]).ToArray().Concat(foreignRecord3).ToArray();
        File.WriteAllBytes(segment, spliced);

        var error = Assert.Throws<LedgerCorruptException>(() => ScanAll(_dir.Path, out _));

        Assert.Contains("hash chain", error.Message);
    }

    [Fact]
    public void An_empty_directory_is_an_empty_journal()
    {
        var seen = ScanAll(_dir.Path, out var tail);

        Assert.Empty(seen);
        Assert.Equal(0UL, tail.LastSequence);
        Assert.Null(tail.ActiveSegment);
    }

    [Fact]
    public void Snapshots_round_trip_and_a_flipped_byte_is_detected()
    {
        var payload = new byte[100_000];
        new Random(9).NextBytes(payload);
        var info = new SnapshotInfo(42, 12345, 777);
        var path = SnapshotStore.Write(_dir.Path, info, s => s.Write(payload), fsync: true);

        Assert.True(SnapshotStore.TryRead(path, ReadAll, out var read, out var readInfo, out _));
        Assert.Equal(payload, read);
        Assert.Equal(info, readInfo);

        FlipByte(path, 5000);
        Assert.False(SnapshotStore.TryRead(path, ReadAll, out _, out _, out var problem));
        Assert.Contains("checksum", problem);
    }

    [Fact]
    public void Only_the_newest_two_snapshots_are_kept()
    {
        for (ulong s = 1; s <= 4; s++) SnapshotStore.Write(_dir.Path, new SnapshotInfo(s, s, s), st => st.WriteByte(1), fsync: false);

        SnapshotStore.Prune(_dir.Path, keep: 2);

        Assert.Equal([4UL, 3UL], SnapshotStore.ListNewestFirst(_dir.Path).Select(x => x.Sequence));
    }

    private static byte[] ReadAll(Stream s)
    {
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        return copy.ToArray();
    }
}
