using Banyan.Lending.Book;

namespace Banyan.Lending.Demo;

/// <summary>
/// Demo data: 2,400 SME, farmer, consumer and rider loans disbursed over the last ten months, then
/// lived day by day up to today with the daily close and behaviour profiles — 78 % pay on the due
/// date, 10 % pay 20–75 days late, 6 % stop paying after a few instalments, 4 % never pay, 2 % settle
/// early — so arrears, penalty, all five categories and provisions are real results of the close.
/// Deterministic (fixed seed); idempotent (does nothing once the book has loans).
/// </summary>
internal static class DemoPortfolio
{
    public const int Loans = 2_400;
    public const int Customers = 900;
    private static readonly string[] Segments = ["sme", "farmer", "consumer", "rider"];

    private enum Profile : byte { Good, Late, Stops, Never, Settles }

    public static async Task SeedAsync(LoanBook book, DateOnly today, CancellationToken cancellationToken)
    {
        if (book.LoanCount > 0) return;
        var random = new Random(2026);
        var first = today.AddDays(-300);
        var references = Enumerable.Range(1, Customers).Select(i => $"{Segments[i % 4]}-{i:D4}").ToArray();
        await book.OpenCustomersAsync(references, cancellationToken).ConfigureAwait(false);
        var applications = new LoanApplication[Loans];
        var profiles = new (Profile Kind, int Lag, int StopAfter)[Loans];
        for (var i = 0; i < Loans; i++)
        {
            var customer = references[random.Next(Customers)];
            var product = StandardProducts.All[Array.IndexOf(Segments, customer[..customer.IndexOf('-', StringComparison.Ordinal)])];
            var principal = Math.Min(product.MaxPrincipal, random.NextInt64(2_000_000, product.MaxPrincipal / 4 + 2_000_001) / 100 * 100);
            var instalments = random.Next(product.MinInstalments, Math.Min(product.MaxInstalments, 24) + 1);
            applications[i] = new LoanApplication(customer, product.Code, principal, instalments, first.AddDays(random.Next(0, 280)));
            profiles[i] = PickProfile(random);
        }
        Array.Sort(applications, profiles, Comparer<LoanApplication>.Create((a, b) => a.Start.CompareTo(b.Start)));
        await FundAsync(book, applications, cancellationToken).ConfigureAwait(false);
        await book.DisburseManyAsync(applications, cancellationToken).ConfigureAwait(false);
        for (var d = first; d <= today; d = d.AddDays(1))
        {
            await book.CloseDayAsync(d, cancellationToken).ConfigureAwait(false);
            await CollectAsync(book, profiles, d, cancellationToken).ConfigureAwait(false);
        }
        await WriteOffWorstAsync(book, cancellationToken).ConfigureAwait(false);
    }

    private static (Profile, int, int) PickProfile(Random random) => random.Next(100) switch
    {
        < 78 => (Profile.Good, 0, 0),
        < 88 => (Profile.Late, random.Next(20, 76), 0),
        < 94 => (Profile.Stops, 0, random.Next(1, 4)),
        < 98 => (Profile.Never, 0, 0),
        _ => (Profile.Settles, 0, random.Next(1, 3)),
    };

    /// <summary>Customers hold a quarter of their loans' principal on deposit on top of the disbursed money, for interest and penalty.</summary>
    private static async Task FundAsync(LoanBook book, LoanApplication[] applications, CancellationToken cancellationToken)
    {
        foreach (var group in applications.GroupBy(a => a.CustomerReference))
        {
            var outcome = await book.DepositAsync(group.Key, group.Sum(a => a.Principal) / 4 + 1, cancellationToken).ConfigureAwait(false);
            if (!outcome.Ok) throw new InvalidOperationException(outcome.Detail);
        }
    }

    private static async Task CollectAsync(LoanBook book, (Profile Kind, int Lag, int StopAfter)[] profiles, DateOnly d, CancellationToken cancellationToken)
    {
        var run = new List<(long, long)>();
        for (var n = 1L; n <= book.LoanCount; n++)
        {
            if (!book.TryGetLoan(n, out var loan) || loan.Status != LoanStatus.Active) continue;
            var (kind, lag, stopAfter) = profiles[n - 1];
            if (kind == Profile.Never || (kind == Profile.Stops && loan.NextUnpaid >= stopAfter)) continue;
            if (kind == Profile.Settles && loan.NextUnpaid >= stopAfter)
            {
                var quote = book.Quote(n, d);
                if (quote.Ok) await book.SettleAsync(n, d, quote.Value.Total, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var schedule = book.Schedule(n);
            if (loan.NextUnpaid < schedule.Length && schedule[loan.NextUnpaid].Due.AddDays(lag) == d)
                run.Add((n, book.ArrearsDue(n, d)));
        }
        if (run.Count > 0) await book.RepayManyAsync(run, d, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The three loans longest past due are written off; the worst one has a small recovery.</summary>
    private static async Task WriteOffWorstAsync(LoanBook book, CancellationToken cancellationToken)
    {
        var worst = Enumerable.Range(1, book.LoanCount)
            .Select(n => (Number: (long)n, Loan: book.TryGetLoan(n, out var l) ? l : default))
            .Where(x => x.Loan.Status == LoanStatus.Active && x.Loan.DaysPastDue > 180)
            .OrderByDescending(x => x.Loan.DaysPastDue).ThenBy(x => x.Number).Take(3).ToList();
        foreach (var (number, _) in worst) await book.WriteOffAsync(number, cancellationToken).ConfigureAwait(false);
        if (worst.Count > 0) await book.RecoverAsync(worst[0].Number, 50_000, cancellationToken).ConfigureAwait(false);
    }
}
