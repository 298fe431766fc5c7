using System.Runtime.CompilerServices;

namespace Banyan.Ledger;

/// <summary>The two-phase state of a stored transfer (one byte per transfer, beside the transfer).</summary>
internal enum PendingStatus : byte
{
    /// <summary>Not a pending transfer.</summary>
    None = 0,
    /// <summary>A pending transfer still holding its reservation.</summary>
    Pending = 1,
    /// <summary>Posted (fully or partly) by a post_pending_transfer.</summary>
    Posted = 2,
    /// <summary>Released by a void_pending_transfer.</summary>
    Voided = 3,
    /// <summary>Released by its timeout.</summary>
    Expired = 4,
}

/// <summary>
/// Append-only storage of transfers in insertion order: chunks of 2^20 transfers (128 MiB each), so no
/// single huge array and no copying when the table grows, plus a parallel chunked byte array of
/// <see cref="PendingStatus"/>. Full chunks are pinned, allocated one ahead of need, and prefaulted
/// ahead of the writer (<see cref="PrefaultAhead"/>). Chunk 0 starts small (sized from the capacity hint) and doubles up to
/// the chunk size, so small ledgers (tests) do not pay 128 MiB. Growth happens only in
/// <see cref="EnsureCapacity"/>, which the state machine calls before a request, never mid-request.
/// </summary>
internal sealed class TransferStore
{
    public const int ChunkShift = 20;
    public const int ChunkSize = 1 << ChunkShift;
    private const long ChunkMask = ChunkSize - 1;

    private Transfer[][] _chunks;
    private byte[][] _status;
    private long _capacity;
    private long _count;
    private (Transfer[] Chunk, byte[] Status)? _spare;
    private int _prefaultedThrough = -1;

    public TransferStore(long capacity)
    {
        _chunks = [];
        _status = [];
        EnsureCapacity(Math.Max(capacity, 16));
    }

    public long Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Transfer At(long position) => ref _chunks[position >> ChunkShift][position & ChunkMask];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref PendingStatus StatusAt(long position) =>
        ref Unsafe.As<byte, PendingStatus>(ref _status[position >> ChunkShift][position & ChunkMask]);

    /// <summary>Appends; the caller has ensured capacity. Returns the new position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Append(in Transfer transfer, PendingStatus status)
    {
        var position = _count;
        if (position >= _capacity) throw new InvalidOperationException("TransferStore: append beyond ensured capacity.");
        At(position) = transfer;
        StatusAt(position) = status;
        _count = position + 1;
        return position;
    }

    /// <summary>Drops the last transfer (chain rollback); its bytes are cleared so state stays byte-identical.</summary>
    public void RemoveLast()
    {
        if (_count == 0) throw new InvalidOperationException("TransferStore: remove from empty store.");
        _count--;
        At(_count) = default;
        StatusAt(_count) = PendingStatus.None;
    }

    /// <summary>Makes room for <paramref name="total"/> transfers in all.</summary>
    public void EnsureCapacity(long total)
    {
        if (total <= _capacity) return;
        if (total > IdIndex.MaxPositions) throw new InvalidOperationException("TransferStore: capacity beyond the index encoding.");
        if (_capacity < ChunkSize) GrowFirstChunk(total);
        while (_capacity < total) AddChunk();
    }

    /// <summary>The stored transfers of chunk <paramref name="chunk"/> (only the used prefix).</summary>
    public ReadOnlySpan<Transfer> ChunkSpan(int chunk) => _chunks[chunk].AsSpan(0, UsedIn(chunk));

    /// <summary>The status bytes of chunk <paramref name="chunk"/> (only the used prefix).</summary>
    public ReadOnlySpan<byte> StatusSpan(int chunk) => _status[chunk].AsSpan(0, UsedIn(chunk));

    /// <summary>Writable full chunk spans for loading a snapshot; call <see cref="SetCount"/> after.</summary>
    public Span<Transfer> WritableChunk(int chunk, int length) => _chunks[chunk].AsSpan(0, length);

    public Span<byte> WritableStatus(int chunk, int length) => _status[chunk].AsSpan(0, length);

    public int UsedChunks => (int)((_count + ChunkSize - 1) >> ChunkShift);

    public void SetCount(long count)
    {
        if (count > _capacity) throw new InvalidOperationException("TransferStore: count beyond capacity.");
        _count = count;
    }

    private int UsedIn(int chunk)
    {
        var start = (long)chunk << ChunkShift;
        return (int)Math.Min(ChunkSize, _count - start);
    }

    private void GrowFirstChunk(long total)
    {
        var size = (int)Math.Min(ChunkSize, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)total));
        var chunk = size == ChunkSize ? NewChunk() : new Transfer[size];
        var status = new byte[size];
        if (_chunks.Length > 0)
        {
            _chunks[0].AsSpan().CopyTo(chunk);
            _status[0].AsSpan().CopyTo(status);
            _chunks[0] = chunk;
            _status[0] = status;
        }
        else
        {
            _chunks = [chunk];
            _status = [status];
        }
        _capacity = size;
        if (size == ChunkSize) PrepareSpare();
    }

    /// <summary>Adds a full chunk (the spare if one is ready) and allocates the next spare.</summary>
    private void AddChunk()
    {
        var n = _chunks.Length;
        Array.Resize(ref _chunks, n + 1);
        Array.Resize(ref _status, n + 1);
        if (_spare is { } spare)
        {
            (_chunks[n], _status[n]) = spare;
        }
        else
        {
            _chunks[n] = NewChunk();
            _status[n] = new byte[ChunkSize];
        }
        _capacity = (long)(n + 1) << ChunkShift;
        PrepareSpare();
    }

    private void PrepareSpare() => _spare = (NewChunk(), new byte[ChunkSize]);

    /// <summary>
    /// Once the store holds a real workload (≥ <see cref="MemoryPrefault.WorkloadThreshold"/> transfers),
    /// starts faulting in the pages of the chunk being filled and the one after it, in the background.
    /// Small ledgers (tests, idle engines) therefore never commit memory they do not use.
    /// </summary>
    public void PrefaultAhead()
    {
        if (_count < MemoryPrefault.WorkloadThreshold) return;
        var current = (int)(_count >> ChunkShift);
        for (var k = Math.Max(current, _prefaultedThrough + 1); k <= current + 1; k++)
        {
            var chunk = k < _chunks.Length ? _chunks[k] : k == _chunks.Length ? _spare?.Chunk : null;
            if (chunk is null || chunk.Length != ChunkSize) continue; // only full chunks are pinned
            MemoryPrefault.Start(chunk);
            _prefaultedThrough = k;
        }
    }

    private static Transfer[] NewChunk() => GC.AllocateUninitializedArray<Transfer>(ChunkSize, pinned: true);
}

/// <summary>Keys of the transfer table for <see cref="IdIndex"/> (a struct so the JIT specializes the probe loop).</summary>
internal readonly struct TransferKeys(TransferStore store) : IKeySource
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public UInt128 KeyAt(long position) => store.At(position).Id;
}

/// <summary>Keys of the account table for <see cref="IdIndex"/>.</summary>
internal readonly struct AccountKeys(Account[] accounts) : IKeySource
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public UInt128 KeyAt(long position) => accounts[position].Id;
}
