using System.Runtime.InteropServices;

namespace Banyan.Ledger;

/// <summary>
/// An immutable transfer between two accounts of the same ledger: 128 bytes, blittable.
/// Mutable fields for the same reason as <see cref="Account"/>; once created the engine never changes one.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 128)]
public struct Transfer
{
    /// <summary>Client-chosen id; not 0, not <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Id;
    /// <summary>The account debited.</summary>
    public UInt128 DebitAccountId;
    /// <summary>The account credited.</summary>
    public UInt128 CreditAccountId;
    /// <summary>Minor units. For a stored transfer: the amount actually moved (after balancing clamps).</summary>
    public UInt128 Amount;
    /// <summary>For post/void: the id of the pending transfer.</summary>
    public UInt128 PendingId;
    /// <summary>Opaque client data.</summary>
    public UInt128 UserData128;
    /// <summary>Opaque client data.</summary>
    public ulong UserData64;
    /// <summary>Opaque client data.</summary>
    public uint UserData32;
    /// <summary>Seconds after creation at which a pending transfer expires; 0 = never. Pending only.</summary>
    public uint Timeout;
    /// <summary>The currency or asset; must match both accounts.</summary>
    public uint Ledger;
    /// <summary>The reason for the transfer (chart-of-transactions code).</summary>
    public ushort Code;
    /// <summary>Behaviour flags.</summary>
    public TransferFlags Flags;
    /// <summary>Engine-assigned creation time, nanoseconds since the Unix epoch.</summary>
    public ulong Timestamp;
}

/// <summary>Transfer behaviour flags.</summary>
[Flags]
public enum TransferFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>This event and the next succeed or fail together.</summary>
    Linked = 1 << 0,
    /// <summary>Reserve the amount (two-phase, phase one).</summary>
    Pending = 1 << 1,
    /// <summary>Post (all or part of) the pending transfer named by <see cref="Transfer.PendingId"/>.</summary>
    PostPendingTransfer = 1 << 2,
    /// <summary>Release the pending transfer named by <see cref="Transfer.PendingId"/>.</summary>
    VoidPendingTransfer = 1 << 3,
    /// <summary>Clamp the amount to what the debit account's limit allows.</summary>
    BalancingDebit = 1 << 4,
    /// <summary>Clamp the amount to what the credit account's limit allows.</summary>
    BalancingCredit = 1 << 5,
    /// <summary>Close the debit account (pending only; voiding reopens it).</summary>
    ClosingDebit = 1 << 6,
    /// <summary>Close the credit account (pending only; voiding reopens it).</summary>
    ClosingCredit = 1 << 7,
}
