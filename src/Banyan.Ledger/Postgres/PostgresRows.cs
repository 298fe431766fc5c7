using System.Buffers.Binary;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Postgres;

/// <summary>One row of <c>ledger_journal</c> as read back (the payload array is never reused, so bodies may be kept).</summary>
internal readonly record struct JournalRow(long Sequence, byte[] Payload, byte[] Checksum, byte[] PreviousHash, byte[] RecordHash);

/// <summary>
/// Verifies rows exactly as the file scanner verifies records (the payload is the same sealed record),
/// plus the row's own columns: sequence, checksum, previous hash and record hash must all agree with
/// the payload. Every failure is a <see cref="LedgerCorruptException"/> naming the table and sequence.
/// </summary>
internal static class PostgresRows
{
    public const string Location = "postgres:" + PostgresSchema.JournalTable;

    public const string SelectColumns = "sequence, payload, checksum, previous_hash, record_hash";

    /// <summary>Verifies <paramref name="row"/> as the record after <paramref name="expectedSequence"/> − 1 whose predecessor hashed to <paramref name="previous"/> (null: unknown, not checked).</summary>
    public static RecordHeader Verify(in JournalRow row, ulong expectedSequence, UInt128? previous, out UInt128 chainHash)
    {
        var offset = row.Sequence;
        if (row.Sequence != checked((long)expectedSequence))
            throw Corrupt(offset, $"sequence {row.Sequence} where {expectedSequence} was expected (a row is missing)");
        if (RecordCodec.TryDecode(row.Payload, out var header, out var problem) != DecodeStatus.Valid) throw Corrupt(offset, problem);
        if (row.Payload.Length != header.RecordLength) throw Corrupt(offset, "the payload is longer than its record");
        if (header.Sequence != expectedSequence) throw Corrupt(offset, $"the payload holds record {header.Sequence}");
        if (previous is { } expected && header.PreviousHash != expected)
            throw Corrupt(offset, "the hash chain is broken (previous-record hash does not match)");
        chainHash = RecordHeader.ChainHash(row.Payload);
        if (!Matches(row.Checksum, header.Checksum)) throw Corrupt(offset, "the checksum column does not match the record");
        if (!Matches(row.PreviousHash, header.PreviousHash)) throw Corrupt(offset, "the previous_hash column does not match the record");
        if (!Matches(row.RecordHash, chainHash)) throw Corrupt(offset, "the record_hash column does not match the record");
        return header;
    }

    public static byte[] Bytes(UInt128 value)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, value);
        return bytes;
    }

    public static JournalRow Read(Npgsql.NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2),
        reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4));

    public static LedgerCorruptException Corrupt(long sequence, string problem) =>
        new($"Ledger journal table '{PostgresSchema.JournalTable}' is corrupt at sequence {sequence}: {problem}. The ledger refuses to start; restore the table from a backup or replica.")
        {
            FilePath = Location,
            Offset = sequence,
        };

    private static bool Matches(byte[] column, UInt128 value) =>
        column.Length == 16 && BinaryPrimitives.ReadUInt128LittleEndian(column) == value;
}
