using System.Diagnostics;
using System.Globalization;
using System.Text;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform.Money;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Payments.CrossBorder;

/// <summary>What <see cref="CrossBorderBench"/> measured.</summary>
/// <param name="Payments">Payments quoted, accepted and credited.</param>
/// <param name="P50Milliseconds">Median quote → accept → credited time (the correspondent's ACSC is simulated in-process).</param>
/// <param name="P99Milliseconds">99th percentile of the same.</param>
/// <param name="MeanTotalCostPercent">Mean fee + FX margin in % of the amount sent.</param>
/// <param name="MaxTotalCostPercent">Largest fee + FX margin in %.</param>
/// <param name="ShareWithinG20Cost">Share of payments whose total cost is ≤ 1% (G20 target).</param>
/// <param name="Elapsed">Wall time of the run.</param>
internal sealed record CrossBorderBenchFigures(
    int Payments, double P50Milliseconds, double P99Milliseconds, decimal MeanTotalCostPercent, decimal MaxTotalCostPercent, decimal ShareWithinG20Cost, TimeSpan Elapsed);

/// <summary>
/// <c>banyan bench payments</c>, cross-border part: CNY payments of CNY 1,000–50,000 to every corridor in turn, each
/// quoted, accepted (FX legs posted, released with a UETR) and credited by a pacs.002 ACSC parsed from XML, one
/// after another on a running host. Times are wall clock per payment; cost is fee + FX margin at the embedded rates.
/// </summary>
internal static class CrossBorderBench
{
    public const int MaxPayments = 100_000;

    public static async Task<CrossBorderBenchFigures> RunAsync(IServiceProvider services, int payments, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(payments, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payments, MaxPayments);
        var quotes = services.GetRequiredService<XbQuotes>();
        var accepts = services.GetRequiredService<XbPayments>();
        var inbound = services.GetRequiredService<XbInbound>();
        var corridors = services.GetRequiredService<CorridorTable>().All;
        var time = services.GetRequiredService<CrossBorderClock>().Time;
        var payer = await FundAsync(services.GetRequiredService<ICustomerAccounts>(), payments, ct);
        var random = new Random(6_900);
        var latencies = new double[payments];
        var costs = new decimal[payments];
        var run = Stopwatch.StartNew();
        for (var i = 0; i < payments; i++)
        {
            var corridor = corridors[i % corridors.Count];
            var amount = random.NextInt64(1_000, 50_001) * 100;
            var started = Stopwatch.GetTimestamp();
            var quote = await quotes.CreateAsync(new QuoteInput("bench", payer, corridor.Country, amount, null, "Bench Beneficiary", "BENCH" + i.ToString(CultureInfo.InvariantCulture), corridor.CorrespondentBic, null, null), ct);
            var (payment, refusal) = await accepts.AcceptAsync("bench", quote.Id, ct);
            if (payment is not { Status: XbStatus.Sent })
            {
                throw new InvalidOperationException($"Bench payment {i} was not sent ({refusal}, {payment?.Status} {payment?.Reason}).");
            }

            var report = Pacs002Builder.Write(Pacs002Builder.For(payment.Uetr, "ACSC", null, time.GetUtcNow()));
            var result = await inbound.ApplyStatusReportAsync(Pacs002Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(report))), ct);
            if (result.Items[0].Status != XbStatus.Credited)
            {
                throw new InvalidOperationException($"Bench payment {payment.Uetr} was not credited: {result.Items[0].Status}.");
            }

            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            costs[i] = CostReport.Percent(quote.Fee + quote.Margin, quote.Principal);
        }

        Array.Sort(latencies);
        return new CrossBorderBenchFigures(
            payments, Bench.Percentiles.Of(latencies, 0.50), Bench.Percentiles.Of(latencies, 0.99), Math.Round(costs.Average(), 4), costs.Max(),
            Math.Round((decimal)costs.Count(c => c <= CostReport.G20CostPercent) / payments, 4), run.Elapsed);
    }

    private static async Task<UInt128> FundAsync(ICustomerAccounts accounts, int payments, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var account = await accounts.OpenAsync("bench-xb-" + run, Currencies.Cny, ct);
        // Each payment is at most CNY 50,000 plus its capped fee; deposits are at most CNY 1,000,000 each.
        var needed = checked(payments * 51_000L * 100);
        for (var (i, funded) = (0, 0L); funded < needed; i++, funded += 1_000_000_00)
        {
            var outcome = await accounts.DepositAsync(account.AccountId, 1_000_000_00, $"bench-xb-{run}-{i}", ct);
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException($"Funding the bench account failed: {outcome.Reason}.");
            }
        }

        return account.AccountId;
    }
}
