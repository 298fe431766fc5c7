namespace Banyan.Ledger;

/// <summary>
/// The deterministic core: a pure function of (state, request, timestamp). Single-threaded; the
/// engine calls it from its writer thread and replay calls it from recovery. Event i of a request
/// gets timestamp <c>timestamp + i</c>; the caller guarantees <c>timestamp &gt; LastTimestamp</c>.
/// </summary>
internal sealed class StateMachine
{
    public StateMachine(int accountCapacity, long transferCapacity) => throw new NotImplementedException();

    /// <summary>The highest timestamp assigned so far (0 when empty).</summary>
    public ulong LastTimestamp => throw new NotImplementedException();

    public void CreateAccounts(ReadOnlySpan<Account> events, ulong timestamp, Span<CreateAccountResult> results) => throw new NotImplementedException();

    public void CreateTransfers(ReadOnlySpan<Transfer> events, ulong timestamp, Span<CreateTransferResult> results) => throw new NotImplementedException();

    /// <summary>Expires pending transfers whose deadline is at or before <paramref name="timestamp"/> (a journaled "pulse").</summary>
    public void Pulse(ulong timestamp) => throw new NotImplementedException();

    /// <summary>The earliest deadline (ns) of a pending transfer with a timeout; 0 when none. The engine pulses at it.</summary>
    public ulong NextExpiryTimestamp => throw new NotImplementedException();

    public int AccountCount => throw new NotImplementedException();

    public long TransferCount => throw new NotImplementedException();

    /// <summary>A hash of the whole state (accounts, transfers, pending status); equal states have equal digests.</summary>
    public UInt128 Digest() => throw new NotImplementedException();

    public bool TryGetAccount(UInt128 id, out Account account) => throw new NotImplementedException();

    public bool TryGetTransfer(UInt128 id, out Transfer transfer) => throw new NotImplementedException();

    public void WriteSnapshot(Stream destination) => throw new NotImplementedException();

    public static StateMachine ReadSnapshot(Stream source) => throw new NotImplementedException();
}
