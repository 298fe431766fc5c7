namespace Banyan.Ledger;

/// <summary>Which journal backend the engine writes (<see cref="LedgerOptions.Journal"/>).</summary>
public enum LedgerJournalKind
{
    /// <summary>Segment files in <see cref="LedgerOptions.Directory"/> (one node; the default).</summary>
    File,

    /// <summary>Rows in PostgreSQL: any number of nodes share it, one leader writes, the others stand by.</summary>
    Postgres,
}

/// <summary>This node's part in the ledger.</summary>
public enum LedgerRole
{
    /// <summary>File journal: the only node, always writes.</summary>
    Single,

    /// <summary>PostgreSQL journal: holds the lease and appends.</summary>
    Leader,

    /// <summary>PostgreSQL journal: follows the leader's journal, serves reads, refuses writes.</summary>
    Standby,

    /// <summary>PostgreSQL journal: lost its lease while leading; the engine stopped and needs a restart to rejoin as a standby.</summary>
    Fenced,
}

/// <summary>A point-in-time view of the lease and replication, for readiness and metrics.</summary>
/// <param name="Role">This node's role.</param>
/// <param name="FencingToken">The lease's current fencing token as this node last saw it (this node's own while it leads).</param>
/// <param name="Leader">The leader's advertised address (null when unknown).</param>
/// <param name="LeaderNode">The leader's node name (null when unknown).</param>
/// <param name="AppliedSequence">The last journal record applied on this node.</param>
/// <param name="LagRecords">Records in the journal this node has not applied yet (0 on the leader).</param>
/// <param name="LastError">Why the last lease or follow round failed, if it did.</param>
public sealed record LedgerClusterStatus(
    LedgerRole Role, long FencingToken, string? Leader, string? LeaderNode, ulong AppliedSequence, ulong LagRecords, string? LastError);

/// <summary>A write reached a standby: only the leader appends. Nothing was applied; send it to <see cref="Leader"/>.</summary>
public sealed class LedgerNotLeaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerNotLeaderException() : base("This ledger node is a standby and accepts no writes.") { }

    /// <summary>Creates the exception.</summary>
    public LedgerNotLeaderException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public LedgerNotLeaderException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The leader's advertised address, when known.</summary>
    public string? Leader { get; init; }
}

/// <summary>
/// The node lost its lease (another node took over, or it could not renew in time): its append was
/// refused by the database, nothing of it was acknowledged, and the engine stopped. Found as the
/// inner exception of the <see cref="LedgerFaultedException"/> callers see.
/// </summary>
public sealed class LedgerFencedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerFencedException() : base("This ledger node was fenced.") { }

    /// <summary>Creates the exception.</summary>
    public LedgerFencedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public LedgerFencedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The new leader's advertised address, when known.</summary>
    public string? Leader { get; init; }

    /// <summary>The token this node held.</summary>
    public long FencingToken { get; init; }
}
