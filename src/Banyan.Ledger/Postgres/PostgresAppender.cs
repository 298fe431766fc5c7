using System.Diagnostics;
using System.Runtime.InteropServices;
using Banyan.Ledger.Journal;
using Npgsql;
using NpgsqlTypes;

namespace Banyan.Ledger.Postgres;

/// <summary>
/// The leader's journal writer. One <see cref="Append"/> = one transaction: lock the lease row
/// (<c>FOR SHARE</c>, so a takeover's UPDATE waits for this commit and every later append sees the new
/// token), refuse unless the token is still ours and the lease unexpired, COPY all records in, COMMIT.
/// The batch is acknowledged only after the COMMIT returns. Owned by the flusher thread.
/// </summary>
internal sealed class PostgresAppender : IJournalAppender
{
    private const string LeaseCheckSql = "SELECT token, expires_at > now(), address FROM ledger_leader WHERE id = 1 FOR SHARE";
    private const string CopySql = "COPY ledger_journal (sequence, payload, checksum, previous_hash, record_hash, fencing_token) FROM STDIN (FORMAT BINARY)";
    private readonly NpgsqlDataSource _source;
    private readonly ClusterState _cluster;
    private NpgsqlConnection? _connection;
    private ulong _lastSequence;
    private UInt128 _lastHash;
    private long _bytes;
    private long _appends;
    private long _writeTicks;
    private long _syncTicks;

    public PostgresAppender(NpgsqlDataSource source, ClusterState cluster, JournalTail tail)
    {
        _source = source;
        _cluster = cluster;
        _lastSequence = tail.LastSequence;
        _lastHash = tail.LastChainHash;
        LastChainHash = tail.LastChainHash;
    }

    public ulong LastSequence => Volatile.Read(ref _lastSequence);

    public UInt128 LastChainHash { get; private set; }

    public long BytesWritten => Interlocked.Read(ref _bytes);

    public long Appends => Interlocked.Read(ref _appends);

    public long WriteTicks => Interlocked.Read(ref _writeTicks);

    public long SyncTicks => Interlocked.Read(ref _syncTicks);

    public bool DirectIo => false;

    public void Append(IReadOnlyList<PendingRecord> records)
    {
        if (records.Count == 0) return;
        var token = _cluster.Token;
        // Invariant: the writer journals nothing while this node is not the leader.
        if (token <= 0) throw new InvalidOperationException("The ledger tried to append while not the leader.");
        var sequence = _lastSequence;
        var hash = _lastHash;
        var start = Stopwatch.GetTimestamp();
        _connection ??= _source.OpenConnection();
        using (var transaction = _connection.BeginTransaction())
        {
            CheckLease(transaction, token);
            using (var importer = _connection.BeginBinaryImport(CopySql))
            {
                foreach (var record in records)
                {
                    var span = record.Buffer.Span[..record.Length];
                    var previous = hash;
                    RecordSealer.Seal(span, ref sequence, ref hash);
                    WriteRow(importer, record, sequence, previous, hash, token);
                    Interlocked.Add(ref _bytes, record.Length);
                }
                importer.Complete();
            }
            var written = Stopwatch.GetTimestamp();
            Interlocked.Add(ref _writeTicks, written - start);
            transaction.Commit();
            Interlocked.Add(ref _syncTicks, Stopwatch.GetTimestamp() - written);
        }
        Volatile.Write(ref _lastSequence, sequence);
        _lastHash = hash;
        LastChainHash = hash;
        Interlocked.Increment(ref _appends);
    }

    public void Follow(ulong sequence, UInt128 chainHash)
    {
        // Invariant: a standby follows record by record, so the chain continues where it stood.
        if (sequence <= _lastSequence) throw new InvalidOperationException($"Followed record {sequence} is not after {_lastSequence}.");
        Volatile.Write(ref _lastSequence, sequence);
        _lastHash = chainHash;
        LastChainHash = chainHash;
    }

    private void CheckLease(NpgsqlTransaction transaction, long token)
    {
        using var command = new NpgsqlCommand(LeaseCheckSql, _connection, transaction);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException("The ledger_leader row is missing.");
        var current = reader.GetInt64(0);
        var valid = reader.GetBoolean(1);
        var address = reader.GetString(2);
        // Fenced before the exception reaches anyone: a caller that sees the failure also sees the role.
        if (current != token || !valid) _cluster.BecomeFenced();
        if (current != token)
            throw new LedgerFencedException($"This node was fenced: its fencing token {token} is no longer current (the lease is at token {current}, leader {Describe(address)}). The write was not journaled and not acknowledged.") { Leader = address, FencingToken = token };
        if (!valid)
            throw new LedgerFencedException($"This node's ledger lease (token {token}) expired before the write could commit; it was not journaled and not acknowledged.") { Leader = null, FencingToken = token };
    }

    private static void WriteRow(NpgsqlBinaryImporter importer, PendingRecord record, ulong sequence, UInt128 previous, UInt128 hash, long token)
    {
        if (!MemoryMarshal.TryGetArray<byte>(record.Buffer[..record.Length], out var segment))
            throw new InvalidOperationException("Record buffers are array-backed.");
        var header = record.Buffer.Span;
        importer.StartRow();
        importer.Write(checked((long)sequence), NpgsqlDbType.Bigint);
        importer.Write(segment, NpgsqlDbType.Bytea);
        importer.Write(header.Slice(48, 16).ToArray(), NpgsqlDbType.Bytea);
        importer.Write(PostgresRows.Bytes(previous), NpgsqlDbType.Bytea);
        importer.Write(PostgresRows.Bytes(hash), NpgsqlDbType.Bytea);
        importer.Write(token, NpgsqlDbType.Bigint);
    }

    private static string Describe(string address) => address.Length == 0 ? "unknown" : address;

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
