using System.Diagnostics;
using Banyan.Ledger;
using Npgsql;

namespace Banyan.Bench.Ledger;

/// <summary>
/// Row 4, the baseline: the same transfers as a conventional row-locking SQL ledger on PostgreSQL —
/// one PL/pgSQL call per transfer that locks both accounts (<c>SELECT … FOR UPDATE</c> in id order),
/// checks the balance limit, updates both balances and inserts the transfer, committed (and so
/// fsync'd, <c>synchronous_commit</c> as configured) on its own. Several connections run concurrently.
/// </summary>
internal static class PostgresLedgerBench
{
    private const string Schema = "banyan_bench_ledger";

    private static readonly string SetupSql = $$"""
        DROP SCHEMA IF EXISTS {{Schema}} CASCADE;
        CREATE SCHEMA {{Schema}};
        CREATE TABLE {{Schema}}.accounts (
            id bigint PRIMARY KEY, ledger integer NOT NULL, code integer NOT NULL, flags integer NOT NULL DEFAULT 0,
            debits_posted numeric(39,0) NOT NULL DEFAULT 0, credits_posted numeric(39,0) NOT NULL DEFAULT 0);
        CREATE TABLE {{Schema}}.transfers (
            id bigint PRIMARY KEY, debit_account_id bigint NOT NULL, credit_account_id bigint NOT NULL,
            amount numeric(39,0) NOT NULL, ledger integer NOT NULL, code integer NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp());
        CREATE FUNCTION {{Schema}}.create_transfer(p_id bigint, p_debit bigint, p_credit bigint, p_amount numeric, p_ledger integer, p_code integer)
        RETURNS text LANGUAGE plpgsql AS $fn$
        DECLARE d {{Schema}}.accounts; c {{Schema}}.accounts;
        BEGIN
            IF EXISTS (SELECT 1 FROM {{Schema}}.transfers WHERE id = p_id) THEN RETURN 'exists'; END IF;
            -- Lock both rows in id order so concurrent transfers cannot deadlock.
            PERFORM 1 FROM {{Schema}}.accounts WHERE id IN (p_debit, p_credit) ORDER BY id FOR UPDATE;
            SELECT * INTO d FROM {{Schema}}.accounts WHERE id = p_debit;
            IF NOT FOUND THEN RETURN 'debit_account_not_found'; END IF;
            SELECT * INTO c FROM {{Schema}}.accounts WHERE id = p_credit;
            IF NOT FOUND THEN RETURN 'credit_account_not_found'; END IF;
            IF d.ledger <> p_ledger OR c.ledger <> p_ledger THEN RETURN 'transfer_must_have_the_same_ledger_as_accounts'; END IF;
            IF (d.flags & 2) <> 0 AND d.debits_posted + p_amount > d.credits_posted THEN RETURN 'exceeds_credits'; END IF;
            IF (c.flags & 4) <> 0 AND c.credits_posted + p_amount > c.debits_posted THEN RETURN 'exceeds_debits'; END IF;
            UPDATE {{Schema}}.accounts SET debits_posted = debits_posted + p_amount WHERE id = p_debit;
            UPDATE {{Schema}}.accounts SET credits_posted = credits_posted + p_amount WHERE id = p_credit;
            INSERT INTO {{Schema}}.transfers (id, debit_account_id, credit_account_id, amount, ledger, code)
                VALUES (p_id, p_debit, p_credit, p_amount, p_ledger, p_code);
            RETURN 'created';
        END $fn$;
        """;

    public static async Task<RunFigures> RunAsync(string connectionString, InProcessBenchOptions workload, int connections, TextWriter progress, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await SetupAsync(dataSource, workload.Accounts, ct);
        var transfers = TransferWorkload.Generate(workload with { BatchSize = 1000 }).SelectMany(b => b).ToArray();
        progress.WriteLine($"postgresql: {transfers.Length:N0} transfers, one stored-procedure call each, {connections} connections");
        var latencies = new long[transfers.Length];
        long created = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand($"SELECT {Schema}.create_transfer($1, $2, $3, $4, $5, $6)", connection);
            for (var p = 0; p < 6; p++) command.Parameters.Add(new NpgsqlParameter());
            int index;
            while ((index = Interlocked.Increment(ref next)) < transfers.Length)
            {
                var t = transfers[index];
                command.Parameters[0].Value = (long)t.Id;
                command.Parameters[1].Value = (long)t.DebitAccountId;
                command.Parameters[2].Value = (long)t.CreditAccountId;
                command.Parameters[3].Value = (decimal)t.Amount;
                command.Parameters[4].Value = (int)t.Ledger;
                command.Parameters[5].Value = (int)t.Code;
                var started = Stopwatch.GetTimestamp();
                var result = (string?)await command.ExecuteScalarAsync(ct);
                latencies[index] = Stopwatch.GetTimestamp() - started;
                if (result == "created") Interlocked.Increment(ref created);
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        var figures = RunFigures.From("postgresql", transfers.Length, created, clock.Elapsed, latencies);
        await using (var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE")) await drop.ExecuteNonQueryAsync(ct);
        return figures;
    }

    private static async Task SetupAsync(NpgsqlDataSource dataSource, int accounts, CancellationToken ct)
    {
        await using (var setup = dataSource.CreateCommand(SetupSql)) await setup.ExecuteNonQueryAsync(ct);
        await using var insert = dataSource.CreateCommand(
            $"INSERT INTO {Schema}.accounts (id, ledger, code) SELECT g, 1, 1 FROM generate_series(1, $1) AS g");
        insert.Parameters.Add(new NpgsqlParameter { Value = (long)accounts });
        await insert.ExecuteNonQueryAsync(ct);
    }
}
