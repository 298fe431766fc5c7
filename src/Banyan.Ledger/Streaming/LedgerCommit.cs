using System.Buffers.Binary;
using System.Globalization;

namespace Banyan.Ledger;

/// <summary>What a committed journal record asked the ledger to do.</summary>
public enum LedgerCommitKind : byte
{
    /// <summary>A batch of account creations (one or more caller requests).</summary>
    CreateAccounts = 1,

    /// <summary>A batch of transfer creations (one or more caller requests).</summary>
    CreateTransfers = 2,

    /// <summary>An expiry pulse: pending transfers whose deadline passed were expired at its timestamp. No events.</summary>
    Pulse = 3,
}

/// <summary>
/// One durable journal record as a subscriber sees it (<see cref="LedgerEngine.SubscribeAsync"/>).
/// The journal stores the events exactly as the callers submitted them, not their outcomes: see
/// docs/ledger-journal.md "Journal stream" for how to tell which events created something.
/// </summary>
/// <param name="Sequence">The record's sequence number: 1, 2, 3, … without gaps. Use it to de-duplicate (delivery is at-least-once across restarts).</param>
/// <param name="Kind">What the record does.</param>
/// <param name="Hash">The record's chain hash (first 16 bytes of SHA-256 over its 64-byte header).</param>
/// <param name="Requests">The caller requests coalesced into this record, in the order they were applied.</param>
public sealed record LedgerCommit(ulong Sequence, LedgerCommitKind Kind, UInt128 Hash, IReadOnlyList<LedgerCommitRequest> Requests)
{
    /// <summary>Total events over all requests.</summary>
    public int EventCount
    {
        get
        {
            var count = 0;
            foreach (var request in Requests) count += request.EventCount;
            return count;
        }
    }
}

/// <summary>
/// One caller request inside a <see cref="LedgerCommit"/>. Event <c>i</c> was applied with engine
/// timestamp <c>Timestamp + i</c>; a created account or transfer carries exactly that timestamp.
/// </summary>
/// <param name="Timestamp">The engine timestamp (ns since the Unix epoch) of the request's first event (or of the pulse).</param>
/// <param name="Accounts">The account events as submitted (empty unless the kind is <see cref="LedgerCommitKind.CreateAccounts"/>).</param>
/// <param name="Transfers">The transfer events as submitted (empty unless the kind is <see cref="LedgerCommitKind.CreateTransfers"/>).</param>
public sealed record LedgerCommitRequest(ulong Timestamp, IReadOnlyList<Account> Accounts, IReadOnlyList<Transfer> Transfers)
{
    /// <summary>Events in this request.</summary>
    public int EventCount => Accounts.Count + Transfers.Count;

    /// <summary>The engine timestamp event <paramref name="index"/> was applied with.</summary>
    public ulong EventTimestamp(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Math.Max(EventCount, 1));
        return Timestamp + (ulong)index;
    }
}

/// <summary>
/// The head of the journal's hash chain: the newest durable record. An auditor who pins it can later
/// prove the history up to it was not rewritten (every record's header contains the previous
/// record's hash, so changing any earlier byte changes this hash).
/// </summary>
/// <param name="Sequence">Sequence number of the newest durable record (0 for an empty journal).</param>
/// <param name="Hash">First 16 bytes of SHA-256 over that record's 64-byte header, read little-endian (0 for an empty journal).</param>
/// <param name="Timestamp">The highest engine timestamp that record assigned (ns since the Unix epoch; for an empty journal, the recovered last timestamp, 0 when new).</param>
public readonly record struct JournalHead(ulong Sequence, UInt128 Hash, ulong Timestamp)
{
    /// <summary>The hash as 32 lowercase hex digits in on-disk byte order (the first 16 bytes of the SHA-256 digest).</summary>
    public string HashHex
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128LittleEndian(bytes, Hash);
            return Convert.ToHexStringLower(bytes);
        }
    }

    /// <summary>The pin format <c>sequence:hashhex@timestamp</c> (parsed back by <see cref="TryParse"/>).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Sequence}:{HashHex}@{Timestamp}");

    /// <summary>Parses the pin format written by <see cref="ToString"/> (e.g. a head an auditor stored).</summary>
    public static bool TryParse(string? text, out JournalHead head)
    {
        head = default;
        if (text is null || text.Length > 80) return false;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (colon <= 0 || at != colon + 33) return false;
        if (!ulong.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) return false;
        if (!ulong.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return false;
        Span<byte> bytes = stackalloc byte[16];
        if (Convert.FromHexString(text.AsSpan(colon + 1, 32), bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 16) return false;
        head = new JournalHead(sequence, BinaryPrimitives.ReadUInt128LittleEndian(bytes), timestamp);
        return true;
    }
}

/// <summary>A digest of the whole ledger state after journal record <see cref="Sequence"/> (equal states have equal digests).</summary>
/// <param name="Sequence">The last journal record the state reflects.</param>
/// <param name="Digest">XXH128 over accounts, transfers and pending statuses (see docs/ledger.md).</param>
public readonly record struct LedgerStateDigest(ulong Sequence, UInt128 Digest);
