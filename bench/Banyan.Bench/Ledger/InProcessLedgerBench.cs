using System.Diagnostics;
using System.Runtime.InteropServices;
using Banyan.Ledger;

namespace Banyan.Bench.Ledger;

/// <summary>
/// Row 1 (in-process engine, durable journal) and row 5 (restart replay speed, memory per million
/// transfers) of <c>banyan bench ledger</c>. Prints progress, returns figures; asserts nothing.
/// </summary>
public static class InProcessLedgerBench
{
    /// <summary>Runs the benchmark: accounts, then transfers from concurrent submitters, then a timed restart.</summary>
    public static async Task<InProcessFigures> RunAsync(InProcessBenchOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Accounts, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Transfers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, LedgerEngine.MaxBatchEvents);
        var directory = options.Directory ?? Path.Combine(Path.GetTempPath(), "banyan-bench-ledger-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using var journalDatabase = options.PostgresJournal is { } server ? await BenchDatabase.CreateAsync(server, ct).ConfigureAwait(false) : null;
        try
        {
            var ledgerOptions = new LedgerOptions
            {
                Journal = journalDatabase is null ? LedgerJournalKind.File : LedgerJournalKind.Postgres,
                PostgresConnectionString = journalDatabase?.ConnectionString,
                Directory = directory,
                Fsync = options.Fsync,
                SnapshotEveryRecords = 0, // replay must measure the journal, not a snapshot load
                AccountCapacity = options.Accounts,
                TransferCapacity = Math.Max(options.Transfers, 1024),
            };
            progress.WriteLine($"ledger in-process: generating {options.Transfers:N0} transfers ({WorkloadName(options)}) over {options.Accounts:N0} accounts");
            var batches = TransferWorkload.Generate(options);
            var smAlone = options.MeasureStateMachineAlone ? MeasureStateMachine(options, batches, progress) : 0;
            var run = await RunDurable(ledgerOptions, options, batches, progress, ct).ConfigureAwait(false);
            batches = null;
            var replay = MeasureReplay(ledgerOptions, options.Transfers, progress);
            return new InProcessFigures(
                WorkloadName(options), options.Transfers, run.Created, run.Seconds, options.Transfers / run.Seconds,
                run.LatencyMsP50, run.LatencyMsP99, (double)run.Bytes / options.Transfers, run.Records, run.CpuRatio,
                run.Delta.GroupCommits, run.Delta.ApplySeconds, run.Delta.JournalWriteSeconds, run.Delta.JournalSyncSeconds, smAlone,
                replay.Seconds, replay.Events / replay.Seconds, replay.Events, replay.ResidentMiBPerMillion, replay.ManagedMiBPerMillion,
                Machine());
        }
        finally
        {
            if (options.Directory is null) TryDelete(directory);
        }
    }

    private sealed record RunResult(double Seconds, long Created, double LatencyMsP50, double LatencyMsP99, long Bytes, long Records, double CpuRatio, LedgerStatistics Delta);

    private sealed record ReplayResult(double Seconds, long Events, double ResidentMiBPerMillion, double ManagedMiBPerMillion);

    private static async Task<RunResult> RunDurable(LedgerOptions ledgerOptions, InProcessBenchOptions options, Transfer[][] batches, TextWriter progress, CancellationToken ct)
    {
        await using var engine = LedgerEngine.Open(ledgerOptions);
        await CreateAccounts(engine, options.Accounts, ct).ConfigureAwait(false);
        var before = engine.Statistics;
        var latencies = new long[batches.Length];
        var created = new long[options.Submitters];
        var nextBatch = -1;
        progress.WriteLine($"ledger in-process: {options.Submitters} submitters × batches of {options.BatchSize:N0}, fsync={options.Fsync}");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var submitters = Enumerable.Range(0, options.Submitters).Select(s => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref nextBatch)) < batches.Length)
            {
                ct.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                var results = await engine.CreateTransfersAsync(batches[index], ct).ConfigureAwait(false);
                latencies[index] = Stopwatch.GetTimestamp() - start;
                created[s] += results.AsSpan().Count(CreateTransferResult.Created);
            }
        }, ct)).ToArray();
        await Task.WhenAll(submitters).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var after = engine.Statistics;
        var delta = after with
        {
            GroupCommits = after.GroupCommits - before.GroupCommits,
            ApplySeconds = after.ApplySeconds - before.ApplySeconds,
            JournalWriteSeconds = after.JournalWriteSeconds - before.JournalWriteSeconds,
            JournalSyncSeconds = after.JournalSyncSeconds - before.JournalSyncSeconds,
        };
        progress.WriteLine($"ledger in-process: {options.Transfers / seconds:N0} transfers/s {(options.Fsync ? "durable" : "NOT fsync'd")} ({after.RecordsWritten - before.RecordsWritten:N0} records for {batches.Length:N0} batches, {delta.GroupCommits:N0} fdatasyncs)");
        progress.WriteLine($"ledger in-process: of {seconds:F2} s wall: writer applying {delta.ApplySeconds:F2} s, journal write {delta.JournalWriteSeconds:F2} s, fdatasync {delta.JournalSyncSeconds:F2} s (O_DIRECT: {after.JournalDirectIo}); process CPU {cpu / seconds:F2} cores");
        Array.Sort(latencies);
        return new RunResult(seconds, created.Sum(), Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            after.BytesWritten - before.BytesWritten, after.RecordsWritten - before.RecordsWritten, cpu / seconds, delta);
    }

    private static async Task CreateAccounts(LedgerEngine engine, int count, CancellationToken ct)
    {
        for (var first = 1; first <= count; first += LedgerEngine.MaxBatchEvents)
        {
            var n = Math.Min(LedgerEngine.MaxBatchEvents, count - first + 1);
            var accounts = new Account[n];
            for (var i = 0; i < n; i++) accounts[i] = new Account { Id = (UInt128)(first + i), Ledger = 1, Code = 1 };
            var results = await engine.CreateAccountsAsync(accounts, ct).ConfigureAwait(false);
            if (results.AsSpan().Count(CreateAccountResult.Created) != n) throw new InvalidOperationException("Benchmark accounts were not all created.");
        }
    }

    /// <summary>The state machine alone on the same batches: the CPU cost the engine cannot avoid.</summary>
    private static double MeasureStateMachine(InProcessBenchOptions options, Transfer[][] batches, TextWriter progress)
    {
        // Warm-up on a throwaway machine so the timed pass runs optimised code, as the engine later does.
        ApplyAll(options, batches.AsSpan(0, Math.Min(batches.Length, 25)));
        var clock = Stopwatch.StartNew();
        ApplyAll(options, batches);
        var rate = options.Transfers / clock.Elapsed.TotalSeconds;
        progress.WriteLine($"ledger in-process: state machine alone {rate:N0} transfers/s");
        return rate;
    }

    private static void ApplyAll(InProcessBenchOptions options, ReadOnlySpan<Transfer[]> batches)
    {
        var machine = new StateMachine(options.Accounts, Math.Max(options.Transfers, 1024));
        var accounts = new Account[options.Accounts];
        for (var i = 0; i < accounts.Length; i++) accounts[i] = new Account { Id = (UInt128)(i + 1), Ledger = 1, Code = 1 };
        var accountResults = new CreateAccountResult[LedgerEngine.MaxBatchEvents];
        ulong timestamp = 1;
        for (var first = 0; first < accounts.Length; first += LedgerEngine.MaxBatchEvents)
        {
            var slice = accounts.AsSpan(first, Math.Min(LedgerEngine.MaxBatchEvents, accounts.Length - first));
            machine.CreateAccounts(slice, timestamp, accountResults.AsSpan(0, slice.Length));
            timestamp += (ulong)slice.Length;
        }
        var results = new CreateTransferResult[LedgerEngine.MaxBatchEvents];
        foreach (var batch in batches)
        {
            machine.CreateTransfers(batch, timestamp, results.AsSpan(0, batch.Length));
            timestamp += (ulong)batch.Length;
        }
    }

    private static ReplayResult MeasureReplay(LedgerOptions ledgerOptions, long transfers, TextWriter progress)
    {
        // Aggressive: decommit the heap the earlier phases used, so the working set before is honest.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var workingBefore = WorkingSet();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var engine = LedgerEngine.Open(ledgerOptions);
        try
        {
            var replay = engine.LastReplay;
            GC.Collect();
            var perMillion = transfers / 1_000_000.0;
            var resident = (WorkingSet() - workingBefore) / 1048576.0 / perMillion;
            var managed = (GC.GetTotalMemory(forceFullCollection: true) - managedBefore) / 1048576.0 / perMillion;
            progress.WriteLine($"ledger in-process: replay {replay.EventsReplayed / replay.Seconds:N0} events/s ({replay.EventsReplayed:N0} in {replay.Seconds:F2} s: reading {replay.ReadSeconds:F2} s, applying {replay.ApplySeconds:F2} s), {resident:F0} MiB resident per million transfers");
            return new ReplayResult(replay.Seconds, replay.EventsReplayed, resident, managed);
        }
        finally
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    private static double Percentile(long[] sortedTicks, double p)
    {
        if (sortedTicks.Length == 0) return 0;
        var index = (int)Math.Min(sortedTicks.Length - 1, Math.Ceiling(p * sortedTicks.Length) - 1);
        return sortedTicks[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }

    private static string WorkloadName(InProcessBenchOptions o) =>
        (o.Workload == LedgerWorkload.Zipf ? $"zipf s={o.ZipfExponent:F2}" : "uniform") + (o.PostgresJournal is null ? "" : ", PostgreSQL journal");

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }
}

/// <summary>Pre-generates the transfers so the generator's cost is not part of the timed run.</summary>
internal static class TransferWorkload
{
    public static Transfer[][] Generate(InProcessBenchOptions options)
    {
        var random = new Random(options.Seed);
        var cdf = options.Workload == LedgerWorkload.Zipf ? ZipfCdf(options.Accounts, options.ZipfExponent) : null;
        var count = (int)((options.Transfers + options.BatchSize - 1) / options.BatchSize);
        var batches = new Transfer[count][];
        long id = 1;
        for (var b = 0; b < count; b++)
        {
            var n = (int)Math.Min(options.BatchSize, options.Transfers - (long)b * options.BatchSize);
            var batch = new Transfer[n];
            for (var i = 0; i < n; i++)
            {
                var debit = Pick(random, cdf, options.Accounts);
                var credit = Pick(random, cdf, options.Accounts);
                while (credit == debit) credit = Pick(random, cdf, options.Accounts);
                batch[i] = new Transfer { Id = (UInt128)id++, DebitAccountId = (UInt128)debit, CreditAccountId = (UInt128)credit, Amount = 1, Ledger = 1, Code = 1 };
            }
            batches[b] = batch;
        }
        return batches;
    }

    private static int Pick(Random random, double[]? cdf, int accounts)
    {
        if (cdf is null) return random.Next(1, accounts + 1);
        var index = Array.BinarySearch(cdf, random.NextDouble());
        return (index < 0 ? ~index : index) + 1;
    }

    private static double[] ZipfCdf(int n, double s)
    {
        var cdf = new double[n];
        double sum = 0;
        for (var r = 1; r <= n; r++) cdf[r - 1] = sum += 1.0 / Math.Pow(r, s);
        for (var i = 0; i < n; i++) cdf[i] /= sum;
        cdf[n - 1] = 1.0;
        return cdf;
    }
}
