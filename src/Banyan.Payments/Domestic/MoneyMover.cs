using System.Globalization;
using Banyan.Ledger;
using Banyan.Payments.Accounts;
using Banyan.Payments.Contracts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Banyan.Payments.Domestic;

/// <summary>
/// Posts single transfers with exactly-once effect: the request row is written <c>pending</c> first (its id
/// is the ledger transfer id's sequence), then the transfer is posted, then the row records the outcome.
/// A retry of the same (initiator, request id) returns the recorded outcome or finishes a pending one; the
/// ledger's idempotency by transfer id makes re-posting safe. Start-up settles rows left pending by a crash.
/// Checks that need a consistent view of one account (daily limits) run under that account's stripe lock.
/// </summary>
internal sealed class MoneyMover(LedgerEngine ledger, IServiceScopeFactory scopes, TimeProvider time, IOptions<PaymentsOptions> options)
{
    internal const int MaxRequestId = 64;
    internal const int MaxReference = 140;
    private const int Stripes = 64;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public ValueTask<PaymentOutcome> DepositAsync(CustomerAccount account, long amount, string depositId, CancellationToken ct)
    {
        CheckRequestId(depositId);
        var limit = checked(options.Value.DepositLimit * account.Currency.MinorPerMajor);
        if (amount <= 0 || amount > limit)
        {
            throw new ArgumentException($"A deposit is 1–{limit} minor units.", nameof(amount));
        }

        var draft = new Draft("bank", depositId, "deposit", PaymentsChart.Settlement(account.Currency), account.AccountId, amount, account.Currency, null, PaymentCodes.Deposit);
        return PostAsync(draft, limitCheck: null, ct);
    }

    public async ValueTask<PaymentOutcome> TransferAsync(DomesticTransferRequest request, CustomerAccount debit, CustomerAccount credit, CancellationToken ct)
    {
        var draft = new Draft(request.Initiator, request.TransferId, "domestic", debit.AccountId, credit.AccountId, request.Amount, debit.Currency, request.Reference, PaymentCodes.DomesticTransfer);
        var gate = _stripes[(int)(debit.AccountId % Stripes)];
        await gate.WaitAsync(ct);
        try
        {
            return await PostAsync(draft, DailyLimitAsync, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Settles rows a crash left pending: posted in the ledger → completed, otherwise rejected (never acknowledged).</summary>
    public async Task SettlePendingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var pending = await db.Set<TransferRow>().Where(r => r.Status == "pending").ToListAsync(ct);
        if (pending.Count == 0)
        {
            return;
        }

        var found = (await ledger.LookupTransfersAsync(pending.Select(r => PaymentsChart.Transfer(r.Id)).ToArray(), ct)).Select(t => t.Id).ToHashSet();
        foreach (var row in pending)
        {
            var posted = found.Contains(PaymentsChart.Transfer(row.Id));
            (row.Status, row.Reason, row.Detail) = posted ? ("completed", null, null) : ("rejected", "interrupted", "The server stopped before the transfer was posted; nothing moved.");
        }

        await db.SaveChangesAsync(ct);
    }

    internal static void CheckRequestId(string id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxRequestId)
        {
            throw new ArgumentException($"A request id is 1–{MaxRequestId} characters.", nameof(id));
        }
    }

    private async ValueTask<PaymentOutcome> PostAsync(Draft draft, Func<DbContext, Draft, CancellationToken, Task<PaymentOutcome?>>? limitCheck, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = await db.Set<TransferRow>().FirstOrDefaultAsync(r => r.Initiator == draft.Initiator && r.RequestId == draft.RequestId, ct);
        if (row is not null)
        {
            return await ReplayAsync(db, row, draft, ct);
        }

        if (limitCheck is not null && await limitCheck(db, draft, ct) is { } refused)
        {
            return refused;
        }

        row = draft.ToRow(time.GetUtcNow(), options.Value.BusinessDayUtcOffsetHours);
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same request raced in from elsewhere; its row wins and this call reports that outcome.
            db.ChangeTracker.Clear();
            var winner = await db.Set<TransferRow>().FirstAsync(r => r.Initiator == draft.Initiator && r.RequestId == draft.RequestId, ct);
            return await ReplayAsync(db, winner, draft, ct);
        }

        return await PostRowAsync(db, row, ct);
    }

    private async Task<PaymentOutcome> ReplayAsync(DbContext db, TransferRow row, Draft draft, CancellationToken ct)
    {
        if (!draft.Matches(row))
        {
            throw new ArgumentException($"Request id '{draft.RequestId}' was already used for a different {row.Kind} request.", nameof(draft));
        }

        return row.Status == "pending" ? await PostRowAsync(db, row, ct) : Outcome(row);
    }

    private async Task<PaymentOutcome> PostRowAsync(DbContext db, TransferRow row, CancellationToken ct)
    {
        var transfer = new Transfer
        {
            Id = PaymentsChart.Transfer(row.Id),
            DebitAccountId = UInt128.Parse(row.DebitAccountId, CultureInfo.InvariantCulture),
            CreditAccountId = UInt128.Parse(row.CreditAccountId, CultureInfo.InvariantCulture),
            Amount = (UInt128)row.Amount,
            Ledger = (uint)row.Ledger,
            Code = row.Kind == "deposit" ? PaymentCodes.Deposit : PaymentCodes.DomesticTransfer,
            UserData64 = checked((ulong)row.Id),
        };
        var result = (await ledger.CreateTransfersAsync(new[] { transfer }, ct))[0];
        (row.Status, row.Reason, row.Detail) = result switch
        {
            CreateTransferResult.Created or CreateTransferResult.Exists => ("completed", null, null),
            CreateTransferResult.ExceedsCredits => ("rejected", "insufficient_funds", "The payer's available balance is below the amount."),
            CreateTransferResult.DebitAccountAlreadyClosed or CreateTransferResult.CreditAccountAlreadyClosed => ("rejected", "account_closed", "An account of the transfer is closed."),
            _ => ("rejected", result.Name(), "The ledger refused the transfer: " + result.Name() + "."),
        };
        await db.SaveChangesAsync(CancellationToken.None); // the ledger has decided: record it even if the caller gave up
        return Outcome(row);
    }

    private async Task<PaymentOutcome?> DailyLimitAsync(DbContext db, Draft draft, CancellationToken ct)
    {
        var perTransfer = checked(options.Value.PerTransferLimit * draft.Currency.MinorPerMajor);
        if (draft.Amount > perTransfer)
        {
            return new PaymentOutcome(PaymentStatus.Rejected, UInt128.Zero, "limit_exceeded", $"A single transfer is at most {draft.Currency.Format(perTransfer)}.");
        }

        var day = Draft.BusinessDay(time.GetUtcNow(), options.Value.BusinessDayUtcOffsetHours);
        var debit = draft.Debit.ToString(CultureInfo.InvariantCulture);
        var used = await db.Set<TransferRow>()
            .Where(r => r.DebitAccountId == debit && r.BusinessDay == day && r.Kind == "domestic" && r.Status != "rejected")
            .SumAsync(r => r.Amount, ct);
        var daily = checked(options.Value.DailyLimit * draft.Currency.MinorPerMajor);
        return checked(used + draft.Amount) > daily
            ? new PaymentOutcome(PaymentStatus.Rejected, UInt128.Zero, "daily_limit_exceeded", $"Transfers out of this account today would exceed {draft.Currency.Format(daily)} ({draft.Currency.Format(used)} used).")
            : null;
    }

    private static PaymentOutcome Outcome(TransferRow row) => row.Status == "completed"
        ? new PaymentOutcome(PaymentStatus.Completed, PaymentsChart.Transfer(row.Id))
        : new PaymentOutcome(PaymentStatus.Rejected, UInt128.Zero, row.Reason, row.Detail);

    /// <summary>A movement before it has a row.</summary>
    private sealed record Draft(string Initiator, string RequestId, string Kind, UInt128 Debit, UInt128 Credit, long Amount, Currency Currency, string? Reference, ushort Code)
    {
        public TransferRow ToRow(DateTimeOffset now, int offsetHours) => new()
        {
            Initiator = Initiator,
            RequestId = RequestId,
            Kind = Kind,
            DebitAccountId = Debit.ToString(CultureInfo.InvariantCulture),
            CreditAccountId = Credit.ToString(CultureInfo.InvariantCulture),
            Amount = Amount,
            Ledger = (int)Currency.Ledger,
            Reference = Reference,
            Status = "pending",
            CreatedAtUnixMs = now.ToUnixTimeMilliseconds(),
            BusinessDay = BusinessDay(now, offsetHours),
        };

        public bool Matches(TransferRow row) =>
            row.Kind == Kind && row.Amount == Amount && row.DebitAccountId == Debit.ToString(CultureInfo.InvariantCulture)
            && row.CreditAccountId == Credit.ToString(CultureInfo.InvariantCulture);

        public static int BusinessDay(DateTimeOffset now, int offsetHours)
        {
            var local = now.ToOffset(TimeSpan.FromHours(offsetHours));
            return (local.Year * 10_000) + (local.Month * 100) + local.Day;
        }
    }
}
