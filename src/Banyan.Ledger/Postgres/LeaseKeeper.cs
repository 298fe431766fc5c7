using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Banyan.Ledger.Postgres;

/// <summary>
/// The node's lease loop on its own thread. Every <see cref="LedgerOptions.FollowInterval"/>: a
/// standby applies new journal rows (warm state); every <see cref="LedgerOptions.LeaseRenewInterval"/>
/// a standby tries to take an expired lease (token + 1, then catches up to the last committed row and
/// only then accepts writes) and a leader renews its lease. A leader whose renewal finds another
/// token is fenced: its engine stops. Times come from the database's clock (<c>now()</c>), so nodes'
/// clocks need not agree. See docs/ledger-journal.md "Hot standby".
/// </summary>
internal sealed class LeaseKeeper : IDisposable
{
    private const string AcquireSql = """
        UPDATE ledger_leader SET holder = @holder, token = token + 1, address = @address,
            expires_at = now() + @lease, acquired_at = now()
        WHERE id = 1 AND (expires_at < now() OR holder = @holder) RETURNING token
        """;
    private const string RenewSql = "UPDATE ledger_leader SET expires_at = now() + @lease WHERE id = 1 AND token = @token RETURNING token";
    private const string ReadSql = "SELECT holder, token, address FROM ledger_leader WHERE id = 1";
    private const string ReleaseSql = "UPDATE ledger_leader SET expires_at = '-infinity' WHERE id = 1 AND token = @token";
    private const string MaxSql = "SELECT coalesce(max(sequence), 0) FROM ledger_journal";
    private const int MaxPagesPerRound = 64; // bounds one round; the next round continues

    private readonly LedgerEngine _engine;
    private readonly NpgsqlDataSource _source;
    private readonly ClusterState _cluster;
    private readonly LedgerOptions _options;
    private readonly string _holder;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private PostgresCursor? _cursor;
    private long _nextLeaseRound;

    public LeaseKeeper(LedgerEngine engine, NpgsqlDataSource source, ClusterState cluster, LedgerOptions options)
    {
        _engine = engine;
        _source = source;
        _cluster = cluster;
        _options = options;
        _holder = options.NodeName ?? $"{Environment.MachineName}:{Path.GetFullPath(options.Directory)}";
        _thread = new Thread(Run) { IsBackground = true, Name = "ledger-lease" };
    }

    /// <summary>Runs the first round on the caller (so a lone node opens as leader), then the loop.</summary>
    public void Start()
    {
        Round(throwOnError: true);
        _thread.Start();
    }

    private void Run()
    {
        while (!_stop.Token.WaitHandle.WaitOne(_options.FollowInterval))
        {
            Round(throwOnError: false);
        }
    }

    private void Round(bool throwOnError)
    {
        if (_options.LeasePaused?.Invoke() == true || _cluster.Role == LedgerRole.Fenced || _engine.IsFaulted) return;
        try
        {
            var leaseDue = Stopwatch.GetTimestamp() >= _nextLeaseRound;
            if (_cluster.Role == LedgerRole.Leader)
            {
                if (leaseDue) Renew();
            }
            else
            {
                Follow();
                if (leaseDue) TryAcquire();
            }
            if (leaseDue) _nextLeaseRound = Stopwatch.GetTimestamp() + (long)(_options.LeaseRenewInterval.TotalSeconds * Stopwatch.Frequency);
            _cluster.LastError = null;
        }
        catch (LedgerCorruptException e)
        {
            // The shared journal does not verify: this node must not serve or take over from it.
            _cluster.LastError = e.Message;
            _engine.FaultFromCluster(e);
        }
        catch (Exception e) when (!throwOnError && e is not OutOfMemoryException)
        {
            // The database is unreachable, the engine is closing or faulted: try again next round (a
            // background thread must never take the process down). A leader that cannot renew loses
            // its lease in the database, and its appends are refused there.
            _cluster.LastError = e.Message;
            _cursor = null;
        }
    }

    private void Renew()
    {
        using var connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(RenewSql, connection);
        command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, _options.LeaseDuration);
        command.Parameters.AddWithValue("token", _cluster.Token);
        if (command.ExecuteScalar() is not null) return;
        ReadLeader(connection);
        _engine.FaultFromCluster(new LedgerFencedException(
            $"This node lost its ledger lease (token {_cluster.Token}); the lease is now at token {_cluster.CurrentToken} held by {_cluster.LeaderNode}. Restart to rejoin as a standby.")
        { Leader = _cluster.LeaderAddress, FencingToken = _cluster.Token });
    }

    /// <summary>Applies every row after this node's applied sequence, page by page.</summary>
    private void Follow()
    {
        var (sequence, hash) = _engine.FollowTail;
        _cursor ??= new PostgresCursor(_source, (sequence, hash));
        for (var page = 0; page < MaxPagesPerRound; page++)
        {
            var records = new List<Engine.FollowedRecord>();
            while (records.Count < 256 && _cursor.TryRead(0, ulong.MaxValue, out var header, out var body, out var chain))
                records.Add(new Engine.FollowedRecord(header, body, chain));
            if (records.Count == 0) break;
            _engine.ApplyFollowed(records);
        }
        using var connection = _source.OpenConnection();
        using var command = new NpgsqlCommand(MaxSql, connection);
        _cluster.SeenLeaderSequence(checked((ulong)(long)command.ExecuteScalar()!));
        ReadLeader(connection);
    }

    private void TryAcquire()
    {
        long token;
        using (var connection = _source.OpenConnection())
        using (var command = new NpgsqlCommand(AcquireSql, connection))
        {
            command.Parameters.AddWithValue("holder", _holder);
            command.Parameters.AddWithValue("address", _options.AdvertisedAddress ?? "");
            command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, _options.LeaseDuration);
            if (command.ExecuteScalar() is not long acquired) return;
            token = acquired;
        }
        // The UPDATE waited for every append of the old leader that had locked the lease row, and any
        // later one sees our token and fails: what is committed now is the whole journal. Catch up fully.
        ulong before;
        do
        {
            before = _engine.FollowTail.Sequence;
            Follow();
        }
        while (before != _engine.FollowTail.Sequence);
        _engine.Promote(token);
        _cluster.LeaderAddress = _options.AdvertisedAddress;
        _cluster.LeaderNode = _holder;
        _cluster.CurrentToken = token;
        _cursor = null;
    }

    private void ReadLeader(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(ReadSql, connection);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return;
        _cluster.LeaderNode = reader.GetString(0);
        _cluster.CurrentToken = reader.GetInt64(1);
        var address = reader.GetString(2);
        _cluster.LeaderAddress = address.Length == 0 ? null : address;
    }

    /// <summary>Stops the loop (waits for a round in progress).</summary>
    public void Stop()
    {
        _stop.Cancel();
        if (_thread.IsAlive) _thread.Join();
    }

    /// <summary>A leader shutting down cleanly lets the lease go at once, so a standby takes over on its next round.</summary>
    public void Release()
    {
        if (_cluster.Role != LedgerRole.Leader) return;
        try
        {
            using var connection = _source.OpenConnection();
            using var command = new NpgsqlCommand(ReleaseSql, connection);
            command.Parameters.AddWithValue("token", _cluster.Token);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // Unreachable database: the lease simply expires.
        }
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
