using Npgsql;

namespace Banyan.Ledger.Postgres;

/// <summary>
/// The two tables of the PostgreSQL journal, created on open (idempotent, under an advisory lock so
/// nodes starting together do not race). <c>ledger_journal</c>: one row per sealed record.
/// <c>ledger_leader</c>: the single lease row every node competes for. See docs/ledger-journal.md.
/// </summary>
internal static class PostgresSchema
{
    public const string JournalTable = "ledger_journal";
    public const string LeaderTable = "ledger_leader";

    // An arbitrary constant key ("BNYNLDGR"): serialises schema creation across nodes.
    private const long SchemaLockKey = 0x424E594E4C444752;

    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS ledger_journal (
            sequence bigint PRIMARY KEY CHECK (sequence > 0),
            payload bytea NOT NULL,
            checksum bytea NOT NULL,
            previous_hash bytea NOT NULL,
            record_hash bytea NOT NULL,
            fencing_token bigint NOT NULL,
            committed_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS ledger_leader (
            id integer PRIMARY KEY CHECK (id = 1),
            holder text NOT NULL,
            token bigint NOT NULL,
            address text NOT NULL,
            expires_at timestamptz NOT NULL,
            acquired_at timestamptz NOT NULL);
        INSERT INTO ledger_leader (id, holder, token, address, expires_at, acquired_at)
            VALUES (1, '', 0, '', '-infinity', '-infinity') ON CONFLICT (id) DO NOTHING;
        """;

    public static void Ensure(NpgsqlDataSource source)
    {
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", SchemaLockKey);
            lockCommand.ExecuteNonQuery();
        }
        using (var create = new NpgsqlCommand(CreateSql, connection, transaction)) create.ExecuteNonQuery();
        transaction.Commit();
    }
}
