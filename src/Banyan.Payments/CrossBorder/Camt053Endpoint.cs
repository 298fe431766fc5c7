using System.Globalization;
using System.Text;
using Banyan.Ledger;
using Banyan.Ledger.Http.Contracts;
using Banyan.Payments.Contracts;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Banyan.Payments.CrossBorder;

/// <summary>Why a statement could not be produced.</summary>
internal sealed class StatementException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// camt.053 statements from the ledger's read models (<see cref="ILedgerHistory"/>): the opening balance is every
/// posted transfer before <c>from</c>, the entries those in [from, to), the closing balance their sum. Pending and
/// voided two-phase records are not bookings and are left out; a posted pending transfer books its posted amount.
/// </summary>
internal sealed class Camt053Statements(ILedgerHistory history, LedgerEngine ledger, ICustomerAccounts accounts, CrossBorderClock clock)
{
    public const int MaxPages = 100;
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);
    private const int ProjectionPolls = 500;
    private const int ProjectionPollMilliseconds = 10;

    public async Task<Camt053> BuildAsync(UInt128 accountId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var account = await accounts.FindAsync(accountId, ct) ?? throw new StatementException(404, $"Account {accountId} is not a customer account.");
        await CatchUpAsync(ct);
        var (fromNs, toNs) = (Nanos(from), Nanos(to));
        long opening = 0;
        await foreach (var t in ReadAsync(accountId, 0, fromNs - 1, ct))
        {
            opening = checked(opening + Signed(t, accountId));
        }

        var entries = new List<Camt053Entry>();
        var closing = opening;
        await foreach (var t in ReadAsync(accountId, fromNs, toNs - 1, ct))
        {
            if (entries.Count == Camt053Builder.MaxEntries)
            {
                throw new StatementException(422, $"More than {Camt053Builder.MaxEntries} entries: ask for a shorter period.");
            }

            var signed = Signed(t, accountId);
            closing = checked(closing + signed);
            var uetr = XbCodes.IsCrossBorder(t.Code) ? XbChart.UetrOf(t.UserData128).ToString() : null;
            entries.Add(new Camt053Entry(new IsoAmount(account.Currency, Math.Abs(signed)), signed > 0, FromNanos(t.Timestamp),
                IsoText.LedgerId(t.Id), t.Code.ToString(CultureInfo.InvariantCulture), uetr is not null && IsoText.IsUuid4(uetr) ? uetr : null));
        }

        var now = clock.Time.GetUtcNow();
        var id = $"STMT-{accountId.ToString(CultureInfo.InvariantCulture)[^12..]}-{from:yyyyMMddHHmm}";
        return new Camt053("BNYN-" + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), now, id, from, to,
            IsoText.LedgerId(accountId), account.Currency, opening, closing, entries);
    }

    /// <summary>Waits (bounded) until the read models reflect every committed journal record, so a statement includes what was just posted.</summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        // Counted polls rather than a deadline on the module clock: a test clock that stands still must not hang a request.
        var target = ledger.JournalHead.Sequence;
        for (var polls = 0; history.ProjectedSequence < target; polls++)
        {
            if (polls == ProjectionPolls)
            {
                throw new StatementException(503, "The ledger read models are behind; try again shortly.");
            }

            await Task.Delay(ProjectionPollMilliseconds, ct);
        }
    }

    private async IAsyncEnumerable<Transfer> ReadAsync(UInt128 accountId, ulong min, ulong max, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (max < min)
        {
            yield break;
        }

        ulong? after = null;
        for (var page = 0; ; page++)
        {
            if (page == MaxPages)
            {
                throw new StatementException(422, $"The account has more than {MaxPages * 1_000} transfers in range; statements this large are not supported.");
            }

            var result = await history.AccountTransfersAsync(accountId, new LedgerHistoryQuery(1_000, after, min, max), ct);
            foreach (var t in result.Transfers.Where(t => (t.Flags & (TransferFlags.Pending | TransferFlags.VoidPendingTransfer)) == 0))
            {
                yield return t;
            }

            if (result.NextAfter is null)
            {
                yield break;
            }

            after = result.NextAfter;
        }
    }

    private static long Signed(in Transfer t, UInt128 accountId) =>
        t.CreditAccountId == accountId ? checked((long)t.Amount) : -checked((long)t.Amount);

    private static ulong Nanos(DateTimeOffset t) => checked((ulong)(t.ToUnixTimeMilliseconds() * 1_000_000L));

    private static DateTimeOffset FromNanos(ulong ns) => DateTimeOffset.FromUnixTimeMilliseconds(checked((long)(ns / 1_000_000)));
}

/// <summary><c>GET /v1/payments/accounts/{id}/camt053?from=&amp;to=</c>.</summary>
internal static class Camt053Endpoint
{
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAsync(string id, string? from, string? to, HttpContext http, Camt053Statements statements, CrossBorderClock clock)
    {
        var errors = new Dictionary<string, string[]>();
        if (!UInt128.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var accountId))
        {
            errors["id"] = ["must be a ledger account id (decimal)"];
        }

        var end = Parse(to, "to", errors) ?? clock.Time.GetUtcNow();
        var start = Parse(from, "from", errors) ?? end.AddDays(-31);
        if (errors.Count == 0 && (start >= end || end - start > Camt053Statements.MaxPeriod || start.ToUnixTimeMilliseconds() < 0))
        {
            errors["from"] = ["from must be before to, after 1970, and the period at most 366 days"];
        }

        if (errors.Count > 0)
        {
            return BanyanProblems.Validation("Invalid statement request.", errors);
        }

        try
        {
            var statement = await statements.BuildAsync(accountId, start, end, http.RequestAborted);
            return TypedResults.Text(Camt053Builder.Write(statement), "application/xml", Encoding.UTF8);
        }
        catch (StatementException e)
        {
            return BanyanProblems.Problem(ProblemTypes.ForStatus(e.Status), e.Message);
        }
    }

    private static DateTimeOffset? Parse(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (IsoText.TryDateTime(text, out var t))
        {
            return t;
        }

        errors[field] = ["must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z"];
        return null;
    }
}
