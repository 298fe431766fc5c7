namespace Banyan.Ledger;

/// <summary>
/// The ledger facade: the only place in Banyan where money moves. Thread-safe; callers from any
/// thread submit batches, which the engine coalesces into journal records (group commit), applies on
/// a single writer thread, and acknowledges only once the record is durable.
/// </summary>
public sealed class LedgerEngine : IAsyncDisposable
{
    /// <summary>The largest number of events in one request (and one journal record).</summary>
    public const int MaxBatchEvents = 8190;

    private LedgerEngine() { }

    /// <summary>Opens (creating if absent) the ledger in <see cref="LedgerOptions.Directory"/>, recovering from the journal.</summary>
    /// <exception cref="LedgerCorruptException">A checksum fails before the tail: names the file and offset.</exception>
    public static LedgerEngine Open(LedgerOptions options, TimeProvider? time = null) => throw new NotImplementedException();

    /// <summary>Creates accounts; one result per event, in order. Completes when durable.</summary>
    public ValueTask<CreateAccountResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Creates transfers; one result per event, in order. Completes when durable.</summary>
    public ValueTask<CreateTransferResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The accounts found among <paramref name="ids"/>, in request order; absent ids are skipped.</summary>
    public ValueTask<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The transfers found among <paramref name="ids"/>, in request order; absent ids are skipped.</summary>
    public ValueTask<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Flushes, stops the writer and closes the journal.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
