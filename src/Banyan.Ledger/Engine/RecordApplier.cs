using System.Runtime.InteropServices;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Engine;

/// <summary>
/// Re-applies a verified journal record to the state machine during recovery: the same calls, with the
/// same events and recorded timestamps, that the writer made when the record was first applied, so the
/// replayed state is identical (the state machine is a pure function of state, request and timestamp).
/// </summary>
internal sealed class RecordApplier
{
    private readonly CreateAccountResult[] _accountResults = new CreateAccountResult[RecordHeader.MaxEventsPerRecord];
    private readonly CreateTransferResult[] _transferResults = new CreateTransferResult[RecordHeader.MaxEventsPerRecord];

    /// <summary>The highest timestamp the records applied so far assigned (requests and pulses).</summary>
    public ulong LastTimestamp { get; set; }

    public void Apply(StateMachine machine, in RecordHeader header, ReadOnlySpan<byte> body)
    {
        var events = RecordCodec.Events(body, header.RequestCount);
        var offset = 0;
        for (var i = 0; i < header.RequestCount; i++)
        {
            var request = RecordCodec.Descriptor(body, i);
            // Invariant: the engine assigns strictly increasing timestamps, and the decoder checked them within the record.
            if (request.Timestamp <= LastTimestamp)
                throw new InvalidOperationException($"Journal record {header.Sequence} has timestamp {request.Timestamp}, not after {LastTimestamp}.");
            var bytes = events.Slice(offset, request.EventCount * RecordHeader.EventSize);
            offset += bytes.Length;
            ApplyOne(machine, header.Kind, bytes, request);
            LastTimestamp = request.Timestamp + (ulong)Math.Max(request.EventCount, 1) - 1;
        }
    }

    private void ApplyOne(StateMachine machine, RecordKind kind, ReadOnlySpan<byte> bytes, RequestDescriptor request)
    {
        switch (kind)
        {
            case RecordKind.CreateAccounts:
                machine.CreateAccounts(MemoryMarshal.Cast<byte, Account>(bytes), request.Timestamp, _accountResults.AsSpan(0, request.EventCount));
                break;
            case RecordKind.CreateTransfers:
                machine.CreateTransfers(MemoryMarshal.Cast<byte, Transfer>(bytes), request.Timestamp, _transferResults.AsSpan(0, request.EventCount));
                break;
            case RecordKind.Pulse:
                machine.Pulse(request.Timestamp);
                break;
            default:
                throw new InvalidOperationException($"Unknown record kind {kind}."); // the decoder rejects these
        }
    }
}
