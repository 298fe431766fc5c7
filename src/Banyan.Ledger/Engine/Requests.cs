using System.Runtime.InteropServices;
using Banyan.Ledger.Journal;

namespace Banyan.Ledger.Engine;

/// <summary>Something a caller awaits; completed by the flusher once what it depends on is durable.</summary>
internal abstract class PendingWork
{
    public abstract void Complete();

    public abstract void Fail(Exception error);
}

internal enum RequestKind
{
    CreateAccounts,
    CreateTransfers,
    LookupAccounts,
    LookupTransfers,
    Pulse,
    Inspect,
    Follow,
    Promote,
}

/// <summary>A unit of work for the writer thread.</summary>
internal abstract class Request : PendingWork
{
    public abstract RequestKind Kind { get; }

    public virtual int EventCount => 0;
}

/// <summary>A create request: its events are copied into the record, then applied from the record's bytes.</summary>
internal abstract class CreateRequest : Request
{
    public RecordKind RecordKind => Kind == RequestKind.CreateAccounts ? RecordKind.CreateAccounts : RecordKind.CreateTransfers;

    /// <summary>Copies the events to <paramref name="destination"/> and applies them from there; returns bytes written.</summary>
    public abstract int CopyAndApply(StateMachine machine, Span<byte> destination, ulong timestamp);
}

internal sealed class CreateAccountsRequest(ReadOnlyMemory<Account> events) : CreateRequest
{
    private readonly TaskCompletionSource<CreateAccountResult[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CreateAccountResult[] _results = new CreateAccountResult[events.Length];

    public override RequestKind Kind => RequestKind.CreateAccounts;

    public override int EventCount => events.Length;

    public Task<CreateAccountResult[]> Task => _done.Task;

    public override int CopyAndApply(StateMachine machine, Span<byte> destination, ulong timestamp)
    {
        var bytes = MemoryMarshal.AsBytes(events.Span);
        bytes.CopyTo(destination);
        machine.CreateAccounts(MemoryMarshal.Cast<byte, Account>(destination[..bytes.Length]), timestamp, _results);
        return bytes.Length;
    }

    public override void Complete() => _done.TrySetResult(_results);

    public override void Fail(Exception error) => _done.TrySetException(error);
}

internal sealed class CreateTransfersRequest(ReadOnlyMemory<Transfer> events) : CreateRequest
{
    private readonly TaskCompletionSource<CreateTransferResult[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CreateTransferResult[] _results = new CreateTransferResult[events.Length];

    public override RequestKind Kind => RequestKind.CreateTransfers;

    public override int EventCount => events.Length;

    public Task<CreateTransferResult[]> Task => _done.Task;

    public override int CopyAndApply(StateMachine machine, Span<byte> destination, ulong timestamp)
    {
        var bytes = MemoryMarshal.AsBytes(events.Span);
        bytes.CopyTo(destination);
        machine.CreateTransfers(MemoryMarshal.Cast<byte, Transfer>(destination[..bytes.Length]), timestamp, _results);
        return bytes.Length;
    }

    public override void Complete() => _done.TrySetResult(_results);

    public override void Fail(Exception error) => _done.TrySetException(error);
}

/// <summary>A read: computed on the writer thread in queue order, released only once everything applied before it is durable.</summary>
internal abstract class ReadRequest : Request
{
    public abstract void Run(StateMachine machine);
}

/// <summary>A read with a typed result.</summary>
internal abstract class ReadRequest<T>(RequestKind kind) : ReadRequest
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public override RequestKind Kind => kind;

    public Task<T> Task => _done.Task;

    public override void Run(StateMachine machine) => _result = Compute(machine);

    protected abstract T Compute(StateMachine machine);

    public override void Complete() => _done.TrySetResult(_result!);

    public override void Fail(Exception error) => _done.TrySetException(error);
}

internal sealed class LookupAccountsRequest(ReadOnlyMemory<UInt128> ids) : ReadRequest<Account[]>(RequestKind.LookupAccounts)
{
    protected override Account[] Compute(StateMachine machine)
    {
        var found = new List<Account>(ids.Length);
        foreach (var id in ids.Span)
        {
            if (machine.TryGetAccount(id, out var account)) found.Add(account);
        }
        return found.ToArray();
    }
}

internal sealed class LookupTransfersRequest(ReadOnlyMemory<UInt128> ids) : ReadRequest<Transfer[]>(RequestKind.LookupTransfers)
{
    protected override Transfer[] Compute(StateMachine machine)
    {
        var found = new List<Transfer>(ids.Length);
        foreach (var id in ids.Span)
        {
            if (machine.TryGetTransfer(id, out var transfer)) found.Add(transfer);
        }
        return found.ToArray();
    }
}

/// <summary>Test and diagnostics hook: runs a read-only function on the writer thread (e.g. <see cref="StateMachine.Digest"/>).</summary>
internal sealed class InspectRequest<T>(Func<StateMachine, T> inspect) : ReadRequest<T>(RequestKind.Inspect)
{
    protected override T Compute(StateMachine machine) => inspect(machine);
}

/// <summary>Queued by the expiry timer; the writer decides whether a pulse record is due.</summary>
internal sealed class PulseRequest : Request
{
    public override RequestKind Kind => RequestKind.Pulse;

    public override void Complete() { }

    public override void Fail(Exception error) { }
}

/// <summary>A record a standby read from the shared journal (verified), to apply as the leader did.</summary>
internal readonly record struct FollowedRecord(RecordHeader Header, ReadOnlyMemory<byte> Body, UInt128 ChainHash);

/// <summary>A standby's batch of followed records; completes once they are applied.</summary>
internal sealed class FollowRequest(List<FollowedRecord> records) : Request
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override RequestKind Kind => RequestKind.Follow;

    public List<FollowedRecord> Records => records;

    public Task<bool> Task => _done.Task;

    public override void Complete() => _done.TrySetResult(true);

    public override void Fail(Exception error) => _done.TrySetException(error);
}

/// <summary>The lease was taken and the journal caught up: from this request on the writer appends with <see cref="Token"/>.</summary>
internal sealed class PromoteRequest(long token) : Request
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override RequestKind Kind => RequestKind.Promote;

    public long Token => token;

    public Task<bool> Task => _done.Task;

    public override void Complete() => _done.TrySetResult(true);

    public override void Fail(Exception error) => _done.TrySetException(error);
}
