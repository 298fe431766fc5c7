using System.Runtime.CompilerServices;

namespace Banyan.Ledger;

/// <summary>Reads the key stored at a position of the table an <see cref="IdIndex"/> points into.</summary>
internal interface IKeySource
{
    UInt128 KeyAt(long position);
}

/// <summary>
/// An open-addressing (linear probing) hash index from a 128-bit id to a position in a flat table.
/// Each slot is one <c>ulong</c>: the top 24 bits are a tag taken from the hash, the low 40 bits are
/// <c>position + 1</c> (0 = empty). The key itself lives only in the table (accounts or transfers), so
/// the index costs 8 bytes per slot; the tag avoids touching the table on almost every mismatch.
/// Invariants: never more than half full; removals are strictly LIFO with respect to insertions (chain
/// rollback), which makes clearing a slot safe under linear probing without tombstones: a key inserted
/// earlier never probed through a slot that was empty at its insertion. Growth happens only between
/// requests (<see cref="EnsureCapacity{T}"/>), and rebuilds in position order, preserving that property.
/// </summary>
internal sealed class IdIndex
{
    private const int PositionBits = 40;
    private const ulong PositionMask = (1UL << PositionBits) - 1;

    /// <summary>The largest position the 40-bit slot encoding can hold.</summary>
    public const long MaxPositions = (long)PositionMask - 1;

    private ulong[] _slots;
    private ulong[]? _prefaulted;
    private ulong _mask;
    private long _count;

    public IdIndex(long capacity)
    {
        _slots = NewSlots(SlotsFor(capacity));
        _mask = (ulong)_slots.LongLength - 1;
    }

    public long Count => _count;

    public long SlotCount => _slots.LongLength;

    /// <summary>Ids that differ only in these low bits land in neighbouring slots (see <see cref="Hash"/>).</summary>
    private const int GroupBits = 5;

    /// <summary>
    /// The slot hash of an id: the low 40 bits choose the slot, the top 24 bits are the tag. The id
    /// without its low <see cref="GroupBits"/> bits is mixed (splitmix-style finalizer), and those low bits
    /// are kept as the offset inside a group of 32 neighbouring slots. Random ids therefore spread as with
    /// any good hash, while monotonic ids (time-based ids such as ULIDs, the recommended kind) fill
    /// consecutive slots: one cache/TLB miss per 32 inserts instead of one per insert, which is most of
    /// the cost of a simple transfer at scale. Stride patterns cannot collide in one group: the mix
    /// spreads the groups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(UInt128 id)
    {
        unchecked // wrapping multiplication is the point of a hash mixer
        {
            var lo = (ulong)id;
            var hi = (ulong)(id >> 64);
            var group = (lo >> GroupBits) | (hi << (64 - GroupBits));
            var h = (group * 0x9E3779B97F4A7C15UL) ^ (((hi >> GroupBits) + 0x632BE59BD9B4E019UL) * 0xC2B2AE3D27D4EB4FUL);
            h ^= h >> 31;
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            var slot = ((h << GroupBits) | (lo & ((1UL << GroupBits) - 1))) & PositionMask;
            return (h & ~PositionMask) | slot;
        }
    }

    /// <summary>Finds <paramref name="id"/>; returns its position or -1. <paramref name="slot"/> is its slot, or the empty slot an insert must use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find<T>(UInt128 id, ulong hash, T keys, out long slot) where T : struct, IKeySource
    {
        var slots = _slots;
        var tag = hash >> PositionBits;
        var i = hash & _mask;
        while (true)
        {
            var s = slots[i];
            if (s == 0)
            {
                slot = (long)i;
                return -1;
            }
            if (s >> PositionBits == tag)
            {
                var position = (long)(s & PositionMask) - 1;
                if (keys.KeyAt(position) == id)
                {
                    slot = (long)i;
                    return position;
                }
            }
            i = (i + 1) & _mask;
        }
    }

    /// <summary>
    /// Hints the CPU to load the home slot of <paramref name="hash"/> into cache. The state machine calls
    /// it a few events ahead, so the (otherwise dependent) cache and TLB misses of random ids overlap.
    /// Purely a performance hint: no effect on state.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        ref var slot = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_slots);
        System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref slot, (nint)(hash & _mask))));
    }

    /// <summary>Fills the empty <paramref name="slot"/> returned by the failed <see cref="Find{T}"/> of the same id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void InsertAt(long slot, ulong hash, long position)
    {
        if (_slots[slot] != 0) throw new InvalidOperationException("IdIndex: insert into an occupied slot.");
        _slots[slot] = ((hash >> PositionBits) << PositionBits) | (ulong)(position + 1);
        _count++;
    }

    /// <summary>Clears the slot of the most recently inserted key (chain rollback only).</summary>
    public void RemoveAt(long slot)
    {
        if (_slots[slot] == 0) throw new InvalidOperationException("IdIndex: remove of an empty slot.");
        _slots[slot] = 0;
        _count--;
    }

    /// <summary>Grows (doubling, rebuilding from the table in position order) so <paramref name="additional"/> more keys fit under the load limit.</summary>
    public void EnsureCapacity<T>(long additional, T keys) where T : struct, IKeySource
    {
        var needed = _count + additional;
        if (needed * 2 <= _slots.LongLength) return;
        var slots = NewSlots(SlotsFor(needed));
        var mask = (ulong)slots.LongLength - 1;
        for (long position = 0; position < _count; position++)
        {
            var hash = Hash(keys.KeyAt(position));
            var i = hash & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = ((hash >> PositionBits) << PositionBits) | (ulong)(position + 1);
        }
        _slots = slots;
        _mask = mask;
    }

    /// <summary>Rebuilds from <paramref name="count"/> keys of the table (after a snapshot load).</summary>
    public void Rebuild<T>(long count, T keys) where T : struct, IKeySource
    {
        _count = 0;
        Array.Clear(_slots);
        EnsureCapacity(count, keys);
        var mask = _mask;
        for (long position = 0; position < count; position++)
        {
            var hash = Hash(keys.KeyAt(position));
            var i = hash & mask;
            while (_slots[i] != 0) i = (i + 1) & mask;
            _slots[i] = ((hash >> PositionBits) << PositionBits) | (ulong)(position + 1);
        }
        _count = count;
    }

    /// <summary>Zeroed and pinned (so the pages can be prefaulted off the writer thread: random first touches are expensive).</summary>
    private static ulong[] NewSlots(long count) => GC.AllocateArray<ulong>(checked((int)count), pinned: true);

    /// <summary>Once the index holds a real workload, faults its pages in the background (once per slot array).</summary>
    public void PrefaultOnce()
    {
        if (_count < MemoryPrefault.WorkloadThreshold || ReferenceEquals(_prefaulted, _slots)) return;
        _prefaulted = _slots;
        MemoryPrefault.Start(_slots);
    }

    private static long SlotsFor(long capacity)
    {
        // Load factor at most 1/2 (linear probing with grouped slots degrades above that).
        var wanted = Math.Max(64, (capacity * 2) + 1);
        if (wanted > 1L << 30) throw new ArgumentOutOfRangeException(nameof(capacity), "IdIndex capacity too large.");
        return (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)wanted);
    }
}
