using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Banyan.Ledger.Journal;
using Banyan.Ledger.Streaming;

namespace Banyan.Ledger;

public sealed partial class LedgerEngine
{
    /// <summary>The newest durable journal record (sequence, chain hash, timestamp), for an auditor to pin. Lock-cheap, any thread.</summary>
    public JournalHead JournalHead => _flusher.Head;

    /// <summary>
    /// Every durable journal record with sequence ≥ <paramref name="fromSequence"/> (0 or 1: from the
    /// start), in sequence order, without gaps; then waits for new ones until the engine is disposed
    /// (the stream then ends after the last durable record) or <paramref name="cancellationToken"/>
    /// is cancelled. Records are read back from the journal files and verified (checksum, hash chain),
    /// so a subscriber holds one record buffer however far behind it is, and can never block or slow
    /// the writer: after each group commit the flusher only signals. Delivery is at-least-once across
    /// restarts: de-duplicate by <see cref="LedgerCommit.Sequence"/>.
    /// </summary>
    /// <exception cref="LedgerCorruptException">A record read back does not verify.</exception>
    /// <exception cref="LedgerFaultedException">The engine faulted; everything durable before the fault was delivered first.</exception>
    public async IAsyncEnumerable<LedgerCommit> SubscribeAsync(ulong fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(fromSequence, 1);
        using var reader = _store.OpenCursor();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stopped = _stopped.Task.IsCompleted;
            var wake = _flusher.Durable.Next; // taken before reading the limit: a commit in between still wakes us
            var limit = _flusher.DurableSequence;
            while (next <= limit && reader.TryRead(next, limit, out var header, out var body, out var hash))
            {
                var commit = ToCommit(header, body.Span, hash);
                next = header.Sequence + 1;
                yield return commit;
                cancellationToken.ThrowIfCancellationRequested();
            }
            // Invariant: the reader returns every record up to the durable limit (it follows segment changes itself).
            if (next <= limit) throw new InvalidOperationException($"Journal stream stopped at {next} below the durable sequence {limit}.");
            if (stopped)
            {
                if (_fault is { } fault) throw new LedgerFaultedException(fault.Message, fault.InnerException ?? fault);
                yield break;
            }
            await Task.WhenAny(wake, _stopped.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A digest of the whole state and the journal sequence it reflects, computed on the writer thread in queue order (for <see cref="LedgerVerifier"/>).</summary>
    public ValueTask<LedgerStateDigest> ComputeStateDigestAsync(CancellationToken cancellationToken = default) =>
        InspectAsync(machine => new LedgerStateDigest(_writer.AppliedSequence, machine.Digest()), cancellationToken);

    /// <summary>Copies a verified record out of the reader's buffer into the public shape.</summary>
    internal static LedgerCommit ToCommit(in RecordHeader header, ReadOnlySpan<byte> body, UInt128 hash)
    {
        var events = RecordCodec.Events(body, header.RequestCount);
        var requests = new LedgerCommitRequest[header.RequestCount];
        var offset = 0;
        for (var i = 0; i < requests.Length; i++)
        {
            var descriptor = RecordCodec.Descriptor(body, i);
            var bytes = events.Slice(offset, descriptor.EventCount * RecordHeader.EventSize);
            offset += bytes.Length;
            requests[i] = header.Kind switch
            {
                RecordKind.CreateAccounts => new LedgerCommitRequest(descriptor.Timestamp, MemoryMarshal.Cast<byte, Account>(bytes).ToArray(), []),
                RecordKind.CreateTransfers => new LedgerCommitRequest(descriptor.Timestamp, [], MemoryMarshal.Cast<byte, Transfer>(bytes).ToArray()),
                _ => new LedgerCommitRequest(descriptor.Timestamp, [], []),
            };
        }
        return new LedgerCommit(header.Sequence, (LedgerCommitKind)header.Kind, hash, requests);
    }
}
