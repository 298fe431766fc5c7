using Banyan.Ledger.Tests.Engine;

namespace Banyan.Ledger.Tests.Postgres;

/// <summary>The PostgreSQL journal backend on a real server (BANYAN_TEST_POSTGRES; skipped with the reason locally when unset, failing under CI=true).</summary>
public sealed class PostgresJournalTests
{
    [SkippableFact]
    public async Task Postgres_journal_round_trips_and_a_restart_replays_the_same_state()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var directory = scope.NewDirectory();
        var clock = new ManualClock();
        UInt128 digest;
        JournalHead head;
        await using (var engine = LedgerEngine.Open(scope.Options(directory, "a"), clock))
        {
            Assert.Equal(LedgerRole.Leader, engine.Cluster.Role);
            await DeterministicWorkload.RunAsync(engine, clock, batches: 30);
            digest = await EngineTestKit.DigestAsync(engine);
            head = engine.JournalHead;
        }
        Assert.Equal(31UL, head.Sequence);
        Assert.Equal(31L, await scope.ScalarAsync("SELECT count(*) FROM ledger_journal"));
        await using (var reopened = LedgerEngine.Open(scope.Options(directory, "a"), clock))
        {
            Assert.True(31L == reopened.LastReplay.RecordsReplayed, $"replayed {reopened.LastReplay}");
            Assert.Equal(digest, await EngineTestKit.DigestAsync(reopened));
            Assert.Equal(head, reopened.JournalHead);
            var more = await reopened.CreateTransfersAsync(new[] { EngineTestKit.NewTransfer(99_999, 1, 2, 5) });
            Assert.Equal(CreateTransferResult.Created, more[0]);
            Assert.Equal(32UL, reopened.JournalHead.Sequence);
        }
    }

    [Fact]
    public async Task An_unreachable_journal_database_fails_open_and_releases_the_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-ledger-pg-down-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = EngineTestKit.Options(directory) with
            {
                Journal = LedgerJournalKind.Postgres,
                PostgresConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Timeout=2",
            };
            Assert.ThrowsAny<Npgsql.NpgsqlException>(() => LedgerEngine.Open(options));
            await using var file = LedgerEngine.Open(EngineTestKit.Options(directory));
            Assert.Equal(LedgerRole.Single, file.Cluster.Role);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    [SkippableFact]
    public async Task Postgres_and_file_journals_reach_the_same_state_digest_and_head_for_the_same_workload()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var fileClock = new ManualClock(start);
        var pgClock = new ManualClock(start);
        await using var file = LedgerEngine.Open(EngineTestKit.Options(scope.NewDirectory()), fileClock);
        await using var pg = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "a"), pgClock);
        await DeterministicWorkload.RunAsync(file, fileClock, batches: 25);
        await DeterministicWorkload.RunAsync(pg, pgClock, batches: 25);
        Assert.Equal(await file.ComputeStateDigestAsync(), await pg.ComputeStateDigestAsync());
        // Same records byte for byte: the hash chains end in the same head.
        Assert.Equal(file.JournalHead, pg.JournalHead);
    }

    [SkippableTheory]
    [InlineData("UPDATE ledger_journal SET payload = overlay(payload placing '\\x01'::bytea from 100 for 1) WHERE sequence = 3", "checksum", 3)]
    [InlineData("UPDATE ledger_journal SET record_hash = '\\x00000000000000000000000000000000'::bytea WHERE sequence = 3", "record_hash", 3)]
    [InlineData("DELETE FROM ledger_journal WHERE sequence = 3", "missing", 4)]
    public async Task A_tampered_or_deleted_row_is_refused_at_open_and_reported_by_verify(string tamper, string expected, long badRow)
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var directory = scope.NewDirectory();
        var clock = new ManualClock();
        await using (var engine = LedgerEngine.Open(scope.Options(directory, "a"), clock))
        {
            await DeterministicWorkload.RunAsync(engine, clock, batches: 6);
        }
        Assert.Equal(1, await scope.ExecuteAsync(tamper));
        var error = Assert.Throws<LedgerCorruptException>(() => LedgerEngine.Open(scope.Options(directory, "a"), clock));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(badRow, error.Offset);
        var report = LedgerVerifier.Verify(directory, new LedgerVerifyOptions { PostgresConnectionString = scope.ConnectionString });
        Assert.False(report.Ok);
        Assert.Contains(report.Problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Verify_replays_the_postgres_journal_and_agrees_with_the_live_state()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var directory = scope.NewDirectory();
        var clock = new ManualClock();
        await using var engine = LedgerEngine.Open(scope.Options(directory, "a"), clock);
        await DeterministicWorkload.RunAsync(engine, clock, batches: 10);
        var live = await engine.ComputeStateDigestAsync();
        var report = LedgerVerifier.Verify(directory, new LedgerVerifyOptions
        {
            PostgresConnectionString = scope.ConnectionString,
            LiveState = live,
            ExpectedHead = engine.JournalHead,
        });
        Assert.True(report.Ok, report.Describe());
        Assert.Equal(11L, report.Records);
        Assert.Equal(live.Digest, report.Digest);
    }

    [SkippableFact]
    public async Task The_stream_reads_every_record_from_the_postgres_journal_in_order()
    {
        await using var scope = await PostgresLedgerScope.CreateAsync();
        var clock = new ManualClock();
        await using var engine = LedgerEngine.Open(scope.Options(scope.NewDirectory(), "a"), clock);
        await DeterministicWorkload.RunAsync(engine, clock, batches: 8);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<ulong>();
        var events = 0;
        await foreach (var commit in engine.SubscribeAsync(1, cancel.Token))
        {
            seen.Add(commit.Sequence);
            events += commit.EventCount;
            if (commit.Sequence == engine.JournalHead.Sequence) break;
        }
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (ulong)i), seen);
        Assert.True(events > 20);
    }
}
