namespace Banyan.Ledger.Postgres;

/// <summary>
/// What this node knows about the lease, shared by the lease keeper (writes), the appender and the
/// writer (read). Plain volatile fields: each is a snapshot, and the database decides who may append.
/// </summary>
internal sealed class ClusterState
{
    /// <summary>Shorthand for comparisons on the writer thread.</summary>
    public const LedgerRole StandbyRole = LedgerRole.Standby;

    private long _token;
    private int _role;
    private long _leaderSequence;

    /// <summary>This node's fencing token while it leads; 0 otherwise.</summary>
    public long Token => Interlocked.Read(ref _token);

    public LedgerRole Role => (LedgerRole)Volatile.Read(ref _role);

    /// <summary>The leader's advertised address as last read from the lease row.</summary>
    public volatile string? LeaderAddress;

    /// <summary>The leader's node name as last read from the lease row.</summary>
    public volatile string? LeaderNode;

    /// <summary>The current token as last read from the lease row (whoever holds it).</summary>
    public long CurrentToken;

    /// <summary>Why the last lease or follow round failed (null when it succeeded).</summary>
    public volatile string? LastError;

    /// <summary>The highest sequence in the journal table as last seen by a standby.</summary>
    public ulong LeaderSequence => (ulong)Interlocked.Read(ref _leaderSequence);

    public void SeenLeaderSequence(ulong sequence) => Interlocked.Exchange(ref _leaderSequence, checked((long)sequence));

    public void BecomeLeader(long token)
    {
        Interlocked.Exchange(ref _token, token);
        Volatile.Write(ref _role, (int)LedgerRole.Leader);
    }

    public void BecomeStandby() => Volatile.Write(ref _role, (int)LedgerRole.Standby);

    public void BecomeFenced()
    {
        Interlocked.Exchange(ref _token, 0);
        Volatile.Write(ref _role, (int)LedgerRole.Fenced);
    }

    public void BecomeSingle() => Volatile.Write(ref _role, (int)LedgerRole.Single);
}
