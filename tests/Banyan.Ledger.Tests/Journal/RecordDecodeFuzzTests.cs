using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Tests.Journal;

public sealed class RecordDecodeFuzzTests
{
    [Fact]
    public void Random_bytes_decode_to_a_clean_result_or_a_corrupt_exception_only()
    {
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0) BitConverter.TryWriteBytes(bytes, RecordHeader.Magic);
            if (bytes.Length >= 6 && random.Next(2) == 0) BitConverter.TryWriteBytes(bytes.AsSpan(4), RecordHeader.FormatVersion);
            DecodeOrCorrupt(bytes);
        }
    }

    [Fact]
    public void Mutated_valid_records_decode_to_a_clean_result_or_a_corrupt_exception_only()
    {
        var random = new Random(12);
        using var dir = new TempDirectory();
        List<byte[]> records;
        using (var writer = JournalTestKit.OpenWriter(dir.Path)) records = JournalTestKit.Append(writer, random, 20, maxEvents: 20);
        var valid = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])records[random.Next(records.Count)].Clone();
            Mutate(random, ref bytes);
            if (DecodeOrCorrupt(bytes)) valid++;
        }
        Assert.True(valid < 20_000, "mutations must be noticed");
    }

    [Fact]
    public void Every_single_bit_flip_of_a_record_is_detected()
    {
        using var dir = new TempDirectory();
        List<byte[]> records;
        using (var writer = JournalTestKit.OpenWriter(dir.Path)) records = JournalTestKit.Append(writer, new Random(13), 1, maxEvents: 3);
        var record = records[0];
        Assert.Equal(DecodeStatus.Valid, RecordCodec.TryDecode(record, out _, out _));
        for (var bit = 0; bit < record.Length * 8; bit++)
        {
            var copy = (byte[])record.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(DecodeStatus.Valid, RecordCodec.TryDecode(copy, out _, out _));
        }
    }

    private static void Mutate(Random random, ref byte[] bytes)
    {
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                Array.Resize(ref bytes, random.Next(bytes.Length));
                break;
            case 2:
                bytes[random.Next(Math.Min(64, bytes.Length))] = (byte)random.Next(256);
                break;
            default:
                var start = random.Next(bytes.Length);
                random.NextBytes(bytes.AsSpan(start, Math.Min(8, bytes.Length - start)));
                break;
        }
    }

    private static bool DecodeOrCorrupt(byte[] bytes)
    {
        try
        {
            RecordCodec.Decode(bytes, "fuzz.log", 0);
            return true;
        }
        catch (LedgerCorruptException error)
        {
            Assert.Equal("fuzz.log", error.FilePath);
            return false;
        }
    }
}
