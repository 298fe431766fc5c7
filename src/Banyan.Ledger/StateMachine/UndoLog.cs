namespace Banyan.Ledger;

/// <summary>What an <see cref="UndoEntry"/> restores.</summary>
internal enum UndoKind : byte
{
    /// <summary>Restore <see cref="UndoEntry.OldAccount"/> at <see cref="UndoEntry.AccountIndex"/>.</summary>
    AccountState,
    /// <summary>Remove the last created account (index slot <see cref="UndoEntry.Slot"/>).</summary>
    AccountCreated,
    /// <summary>Remove the last stored transfer (index slot <see cref="UndoEntry.Slot"/>).</summary>
    TransferCreated,
    /// <summary>Restore <see cref="UndoEntry.OldStatus"/> of the transfer at <see cref="UndoEntry.Position"/>.</summary>
    Status,
}

/// <summary>One reversible effect of an event inside a linked chain.</summary>
internal struct UndoEntry
{
    public UndoKind Kind;
    public PendingStatus OldStatus;
    public int AccountIndex;
    public long Position;
    public long Slot;
    public Account OldAccount;
}

/// <summary>
/// The effects of the open linked chain, recorded only while a chain is open (single events validate
/// fully before mutating, so they never need undo). Rolled back newest first, which restores the state
/// byte for byte. Reused across requests: no allocation once warmed up.
/// </summary>
internal sealed class UndoLog
{
    private UndoEntry[] _entries = new UndoEntry[256];

    public int Count { get; private set; }

    /// <summary>True while a linked chain is open: effects must be recorded.</summary>
    public bool Active { get; set; }

    public ref UndoEntry Push()
    {
        if (Count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        ref var entry = ref _entries[Count];
        Count++;
        return ref entry;
    }

    public ref UndoEntry Pop()
    {
        Count--;
        return ref _entries[Count];
    }

    public void Clear()
    {
        Count = 0;
        Active = false;
    }
}
