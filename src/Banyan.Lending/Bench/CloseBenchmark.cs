using System.Diagnostics;
using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Ledger;

namespace Banyan.Lending.Bench;

/// <summary>
/// The daily-close benchmark: a fresh ledger (fsync on, as in production), a book of
/// <c>loans</c> loans over the standard products with start dates spread over four weeks and no
/// repayments (so a realistic share is overdue, penalised and provisioned), then two closes: the
/// catch-up close after 100 days and one ordinary next-day close. Prints loans closed per second.
/// </summary>
internal static class CloseBenchmark
{
    public const int MaxLoans = 4_000_000;

    public static async Task<double> RunAsync(int loans, string directory, TextWriter output, CancellationToken cancellationToken)
    {
        if (loans < 1 || loans > MaxLoans) throw new ArgumentOutOfRangeException(nameof(loans), loans, $"1 to {MaxLoans} loans");
        Directory.CreateDirectory(directory);
        var options = new LedgerOptions
        {
            Directory = directory,
            AccountCapacity = (int)Math.Min(1 << 30, (2L * loans) + 100_000),
            TransferCapacity = (4L * loans) + 100_000,
            SnapshotEveryRecords = 0,
        };
        await using var ledger = LedgerEngine.Open(options);
        await using var book = new LoanBook(ledger, new LendingChart(1, 1), ClassificationRules.Default);
        StandardProducts.AddTo(book);
        var setup = Stopwatch.StartNew();
        await SeedAsync(book, loans, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"setup: {loans:N0} loans disbursed in {setup.Elapsed.TotalSeconds:F1} s").ConfigureAwait(false);
        var start = new DateOnly(2026, 1, 1);
        var catchUp = await TimeCloseAsync(book, start.AddDays(100), output, cancellationToken).ConfigureAwait(false);
        var daily = await TimeCloseAsync(book, start.AddDays(101), output, cancellationToken).ConfigureAwait(false);
        var rate = loans / daily;
        await output.WriteLineAsync($"lending close: {rate:N0} loans closed per second ({loans:N0} loans, daily close {daily:F2} s, catch-up close {catchUp:F2} s, {Environment.ProcessorCount} cores)").ConfigureAwait(false);
        return rate;
    }

    private static async Task<double> TimeCloseAsync(LoanBook book, DateOnly date, TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var summary = await book.CloseDayAsync(date, cancellationToken).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        await output.WriteLineAsync(
            $"close {date:yyyy-MM-dd}: {summary.LoansClosed:N0} loans in {seconds:F2} s, {summary.Batches} ledger batches; " +
            $"interest {summary.InterestAccrued:N0}, penalty {summary.PenaltyAccrued:N0}, provisions +{summary.ProvisionCharged:N0}/-{summary.ProvisionReleased:N0}; " +
            $"by category {string.Join('/', summary.ByCategory)}").ConfigureAwait(false);
        return seconds;
    }

    /// <summary>Deterministic book: one customer per 10 loans, products and amounts by loan index.</summary>
    internal static async Task SeedAsync(LoanBook book, int loans, CancellationToken cancellationToken)
    {
        var customers = Math.Max(1, loans / 10);
        await book.OpenCustomersAsync(Enumerable.Range(1, customers).Select(i => $"bench-{i}").ToArray(), cancellationToken).ConfigureAwait(false);
        var start = new DateOnly(2026, 1, 1);
        const int chunk = 200_000;
        for (var from = 0; from < loans; from += chunk)
        {
            var count = Math.Min(chunk, loans - from);
            var applications = new LoanApplication[count];
            for (var j = 0; j < count; j++)
            {
                var i = from + j;
                var product = StandardProducts.All[i % StandardProducts.All.Length];
                var principal = Math.Min(product.MaxPrincipal, 1_000_000L + ((i * 7919L) % 50_000_000L));
                var instalments = Math.Clamp(12, product.MinInstalments, product.MaxInstalments);
                applications[j] = new LoanApplication($"bench-{(i % customers) + 1}", product.Code, principal, instalments, start.AddDays(i % 28));
            }
            await book.DisburseManyAsync(applications, cancellationToken).ConfigureAwait(false);
        }
    }
}
