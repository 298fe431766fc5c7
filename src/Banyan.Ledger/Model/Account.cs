using System.Runtime.InteropServices;

namespace Banyan.Ledger;

/// <summary>
/// A ledger account: 128 bytes, blittable, little-endian on disk and on the bulk wire path.
/// A mutable struct with public fields on purpose: the engine keeps millions of these in flat arrays
/// and updates balances in place through <c>ref</c>; records or properties would copy.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 128)]
public struct Account
{
    /// <summary>Client-chosen id; not 0, not <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Id;
    /// <summary>Sum of pending debits (reserved by two-phase transfers), minor units.</summary>
    public UInt128 DebitsPending;
    /// <summary>Sum of posted debits, minor units.</summary>
    public UInt128 DebitsPosted;
    /// <summary>Sum of pending credits, minor units.</summary>
    public UInt128 CreditsPending;
    /// <summary>Sum of posted credits, minor units.</summary>
    public UInt128 CreditsPosted;
    /// <summary>Opaque client data, e.g. a foreign key.</summary>
    public UInt128 UserData128;
    /// <summary>Opaque client data.</summary>
    public ulong UserData64;
    /// <summary>Opaque client data.</summary>
    public uint UserData32;
    /// <summary>Must be zero.</summary>
    public uint Reserved;
    /// <summary>The currency or asset (e.g. one ledger per ISO 4217 currency).</summary>
    public uint Ledger;
    /// <summary>The account type in the chart of accounts.</summary>
    public ushort Code;
    /// <summary>Behaviour flags.</summary>
    public AccountFlags Flags;
    /// <summary>Engine-assigned creation time, nanoseconds since the Unix epoch; unique and strictly increasing.</summary>
    public ulong Timestamp;
}

/// <summary>Account behaviour flags.</summary>
[Flags]
public enum AccountFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>This event and the next succeed or fail together.</summary>
    Linked = 1 << 0,
    /// <summary>Reject a debit that would take pending + posted debits above posted credits.</summary>
    DebitsMustNotExceedCredits = 1 << 1,
    /// <summary>Reject a credit that would take pending + posted credits above posted debits.</summary>
    CreditsMustNotExceedDebits = 1 << 2,
    /// <summary>Keep a balance history for point-in-time queries.</summary>
    History = 1 << 3,
    /// <summary>The account takes no new transfers (set by closing transfers).</summary>
    Closed = 1 << 4,
}
