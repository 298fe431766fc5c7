using Banyan.Ledger;

namespace Banyan.Payments.Accounts;

/// <summary>Input a payments service refuses before anything changes; <see cref="ArgumentException.ParamName"/> names the snake_case field.</summary>
internal sealed class PaymentsInputException(string field, string message) : ArgumentException(message, field);

/// <summary>The request clashes with what exists (e.g. a merchant id registered with other details); nothing changed.</summary>
internal sealed class PaymentsConflictException(string message) : InvalidOperationException(message);

/// <summary>A referenced resource (merchant, account, wallet, programme) does not exist; nothing changed.</summary>
internal sealed class PaymentsNotFoundException(string message) : InvalidOperationException(message);

/// <summary>
/// Locks striped by a holder (customer) id: the checks that need a consistent view of one holder's
/// state (daily limits, points lots, per-customer coupon use) and the post that changes it run under it.
/// Coupons need no lock of their own: their budget is a ledger account (decision 0600).
/// </summary>
internal sealed class HolderLocks
{
    // Many stripes: a tap holds its holder's stripe across two group commits and a ledger round, so two
    // customers sharing a stripe would wait for each other; 4,096 semaphores cost ~0.5 MB.
    private const int Stripes = 4_096;
    private readonly SemaphoreSlim[] _holders = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public SemaphoreSlim Holder(string holderId) => _holders[(holderId.GetHashCode(StringComparison.Ordinal) & int.MaxValue) % Stripes];
}

/// <summary>
/// SQLite has one writer at a time and makes the others poll (sleep and retry) until a timeout; under
/// concurrent taps that polling, not the work, dominated latency. So on SQLite the module queues its own
/// write transactions in-process (fair, no sleeping); on PostgreSQL the gate is open and rows lock themselves.
/// </summary>
internal sealed class WriteGate(bool serialize)
{
    private readonly SemaphoreSlim? _gate = serialize ? new SemaphoreSlim(1, 1) : null;

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_gate is null) return Open.Instance;
        await _gate.WaitAsync(ct);
        return new Releaser(_gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }

    private sealed class Open : IDisposable
    {
        public static readonly Open Instance = new();

        public void Dispose() { }
    }
}

/// <summary>Small helpers over the ledger for the module's set-up steps (idempotent creates).</summary>
internal static class LedgerSetup
{
    public static async Task EnsureAccountsAsync(LedgerEngine ledger, Account[] accounts, CancellationToken ct)
    {
        var results = await ledger.CreateAccountsAsync(accounts, ct);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is not (CreateAccountResult.Created or CreateAccountResult.Exists))
            {
                throw new InvalidOperationException($"The ledger refused payments account {accounts[i].Id}: {results[i].Name()}.");
            }
        }
    }

    /// <summary>Posts set-up transfers whose ids are deterministic, so repeating them is harmless (<c>exists</c>).</summary>
    public static async Task<CreateTransferResult[]> PostAsync(LedgerEngine ledger, Transfer[] transfers, CancellationToken ct) =>
        await ledger.CreateTransfersAsync(transfers, ct);

    public static bool Ok(CreateTransferResult r) => r is CreateTransferResult.Created or CreateTransferResult.Exists;

    /// <summary>Credit-normal balance (credits − debits, posted).</summary>
    public static long Posted(in Account a) => checked((long)a.CreditsPosted - (long)a.DebitsPosted);

    public static long Available(in Account a) => checked((long)a.CreditsPosted - (long)a.DebitsPosted - (long)a.DebitsPending);
}

/// <summary>Input checks shared by the payments services.</summary>
internal static class Check
{
    public static void Id(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 64) throw new PaymentsInputException(field, "must be 1..64 characters");
    }

    public static void Text(string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > max) throw new PaymentsInputException(field, $"must be 1..{max} characters");
    }

    public static void Mcc(string field, string? value)
    {
        if (value is not { Length: 4 } || !value.All(char.IsAsciiDigit)) throw new PaymentsInputException(field, "a merchant category code is four digits (ISO 18245)");
    }
}
