using Banyan.RegTech.Catalogue;
using Banyan.RegTech.Compute;
using Banyan.RegTech.Data;

namespace Banyan.RegTech.Tests;

/// <summary>A hand-sized bank in memory (amounts in CNY, stored as fen). Every figure the tests assert is worked out in the test.</summary>
internal sealed class FixtureBank : IBankData, ICutoffs
{
    private readonly List<AccountBalance> _accounts = [];
    private ulong _next = 1;

    public FixtureBank Debit(ushort code, long cny, ulong counterparty = 0) => Add(code, cny * 100, 0, counterparty);

    public FixtureBank Credit(ushort code, long cny, ulong counterparty = 0) => Add(code, 0, cny * 100, counterparty);

    /// <summary>An account in another ledger (ISO 4217 numeric), amounts in that currency's minor units.</summary>
    public FixtureBank DebitIn(uint ledger, ushort code, long minor, ulong counterparty = 0) => Add(code, minor, 0, counterparty, ledger);

    public FixtureBank CreditIn(uint ledger, ushort code, long minor, ulong counterparty = 0) => Add(code, 0, minor, counterparty, ledger);

    private FixtureBank Add(ushort code, long debits, long credits, ulong counterparty, uint ledger = 156)
    {
        _accounts.Add(new AccountBalance(_next++, ledger, code, counterparty, (UInt128)debits, (UInt128)credits));
        return this;
    }

    /// <summary>The base bank: CET1 900, credit RWA 1,500, HQLA 1,000, net outflows 600, NPL 100 of 2,100.</summary>
    public static FixtureBank Clean() => new FixtureBank()
        .Credit(8501, 1000)            // paid-in capital (CET1)
        .Debit(8131, 100)              // goodwill, deducted from CET1
        .Debit(8210, 600, 1001)        // corporate loan, borrower 1001, RW 100 %
        .Debit(8210, 400, 1002)        // corporate loan, borrower 1002, RW 100 %
        .Debit(8212, 100, 1003)        // corporate substandard (NPL), RW 150 %
        .Debit(8240, 1000, 4001)       // residential mortgage, RW 35 %
        .Debit(8101, 500)              // cash, Level 1
        .Debit(8111, 500)              // government bonds, Level 1
        .Credit(8401, 2000)            // retail stable deposits, 5 % run-off
        .Credit(8421, 500)             // deposits from banks, 100 % run-off
        .Credit(8291, 50);             // loan-loss reserve

    public ValueTask<IReadOnlyList<AccountBalance>> BalancesAsync(ulong cutoff, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<AccountBalance>>(cutoff == 0 ? [] : _accounts.ToList());

    public ValueTask<IReadOnlyList<TransferFact>> TransfersAsync(ulong after, ulong upTo, UInt128 minAmount, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<TransferFact>>(new[] { new TransferFact(77, 156, 8401, 6_000_000, 5), new TransferFact(78, 156, 8401, 2_000_000, 6) }
            .Where(t => t.Amount >= minAmount && t.Timestamp > after && t.Timestamp <= upTo).ToList());

    /// <summary>The reporting date sees everything; any earlier date sees nothing (cut-off 0).</summary>
    public ValueTask<ulong> CutoffAsync(DateOnly asOf, CancellationToken cancellationToken) => ValueTask.FromResult(asOf == AsOf ? 100UL : 0UL);

    public static readonly DateOnly AsOf = new(2026, 6, 30);

    public async Task<FigureSet> ComputeAsync(string profile, FxRates? fx = null, IReadOnlyDictionary<string, string>? currencies = null,
        IPortfolioSource? portfolio = null, IReportCountSource? reports = null)
    {
        var engine = new FigureEngine(IndicatorCatalogue.LoadEmbedded(), new ComputeInputs(BaseMapping.LoadEmbedded(), this, this, portfolio, reports, fx, currencies));
        return await engine.ComputeAsync(profile, AsOf, CancellationToken.None);
    }
}
