using Banyan.Ledger;

namespace Banyan.Lending.Book;

/// <summary>The bank-level accounts the lending module posts to (one of each per ledger/currency).</summary>
internal enum BankAccount : byte
{
    InterestIncome = 1,
    PenaltyIncome = 2,
    FeeIncome = 3,
    ProvisionExpense = 4,
    LoanLossReserve = 5,
    /// <summary>Cash / settlement: where customer deposits and recoveries come from outside the bank's books.</summary>
    Settlement = 6,
}

/// <summary>The per-loan accounts.</summary>
internal enum LoanAccount : byte
{
    PrincipalReceivable = 1,
    InterestReceivable = 2,
}

/// <summary>Transfer codes (the chart of transactions of lending), docs/lending.md §3.</summary>
internal static class LendingCodes
{
    public const ushort Disbursement = 5001;
    public const ushort RepayPrincipal = 5002;
    public const ushort RepayInterest = 5003;
    public const ushort RepayPenalty = 5004;
    public const ushort InterestAccrual = 5005;
    public const ushort PenaltyAccrual = 5006;
    public const ushort ProvisionCharge = 5007;
    public const ushort ProvisionRelease = 5008;
    public const ushort WriteOff = 5009;
    public const ushort Recovery = 5010;
    public const ushort SettlementFee = 5011;
    public const ushort CustomerDeposit = 5012;
    public const ushort CustomerWithdrawal = 5013;
    public const ushort Prepayment = 5014;
    public const ushort InterestCapitalised = 5015;
    public const ushort OriginationFee = 5016;
    public const ushort Drawdown = 5017;
    public const ushort LineRepayment = 5018;
    public const ushort LinePrincipalAccountCode = 5104;

    public const ushort BankAccountCode = 5100;
    public const ushort PrincipalAccountCode = 5101;
    public const ushort InterestAccountCode = 5102;
    public const ushort CustomerAccountCode = 5103;
}

/// <summary>
/// Ledger ids of the module. Layout of a 128-bit id: high 64 bits = <c>0x4C454E44</c> ("LEND") in the
/// top 32 bits and the book's 32-bit epoch below it; low 64 bits = kind in the top byte and a
/// sequence (loan number, customer number, transfer number) below. The epoch keeps ids of books
/// created at different times apart (the book is in memory: decision 0500).
/// </summary>
internal sealed class LendingChart(uint ledger, uint epoch)
{
    private const ulong Tag = 0x4C45_4E44UL;
    private const byte BankKind = 0x01, LoanKind = 0x02, CustomerKind = 0x03, TransferKind = 0x04, LineKind = 0x05;
    private readonly ulong _high = (Tag << 32) | epoch;

    public uint Ledger { get; } = ledger;
    public uint Epoch { get; } = epoch;

    public UInt128 Bank(BankAccount account) => Id(BankKind, (byte)account);

    /// <summary>Loan account: the loan number shifted left 8 bits, the account kind in the low byte.</summary>
    public UInt128 Loan(long loanNumber, LoanAccount account) => Id(LoanKind, checked(((ulong)loanNumber << 8) | (byte)account));

    public UInt128 Customer(long customerNumber) => Id(CustomerKind, (ulong)customerNumber);

    /// <summary>Credit-line account: the line number shifted left 8 bits, the account kind in the low byte (same layout as a loan).</summary>
    public UInt128 Line(long lineNumber, LoanAccount account) => Id(LineKind, checked(((ulong)lineNumber << 8) | (byte)account));

    /// <summary>The two accounts of a revolving credit line (drawn principal, interest receivable).</summary>
    public Account[] LineAccounts(long lineNumber) =>
    [
        new Account { Id = Line(lineNumber, LoanAccount.PrincipalReceivable), Ledger = Ledger, Code = LendingCodes.LinePrincipalAccountCode, UserData64 = (ulong)lineNumber, Flags = AccountFlags.CreditsMustNotExceedDebits },
        new Account { Id = Line(lineNumber, LoanAccount.InterestReceivable), Ledger = Ledger, Code = LendingCodes.InterestAccountCode, UserData64 = (ulong)lineNumber },
    ];

    public UInt128 Transfer(long sequence) => Id(TransferKind, (ulong)sequence);

    private UInt128 Id(byte kind, ulong value)
    {
        if (value >= 1UL << 56) throw new ArgumentOutOfRangeException(nameof(value), value, "Ids hold 56-bit values.");
        return new UInt128(_high, ((ulong)kind << 56) | value);
    }

    public Account[] BankAccounts() =>
        Enum.GetValues<BankAccount>().Select(a => new Account { Id = Bank(a), Ledger = Ledger, Code = LendingCodes.BankAccountCode, UserData32 = (uint)a }).ToArray();

    /// <summary>The two accounts of a loan; the principal receivable may never go credit (repaying more than owed).</summary>
    public void LoanAccounts(long loanNumber, Span<Account> into)
    {
        into[0] = new Account { Id = Loan(loanNumber, LoanAccount.PrincipalReceivable), Ledger = Ledger, Code = LendingCodes.PrincipalAccountCode, UserData64 = (ulong)loanNumber, Flags = AccountFlags.CreditsMustNotExceedDebits };
        into[1] = new Account { Id = Loan(loanNumber, LoanAccount.InterestReceivable), Ledger = Ledger, Code = LendingCodes.InterestAccountCode, UserData64 = (ulong)loanNumber };
    }

    /// <summary>A customer deposit account: it may not go overdrawn, so a repayment beyond the funds fails.</summary>
    public Account CustomerAccount(long customerNumber) =>
        new() { Id = Customer(customerNumber), Ledger = Ledger, Code = LendingCodes.CustomerAccountCode, UserData64 = (ulong)customerNumber, Flags = AccountFlags.DebitsMustNotExceedCredits };

    public Transfer Posting(long sequence, UInt128 debit, UInt128 credit, long amount, ushort code, long loanNumber, bool linked) => new()
    {
        Id = Transfer(sequence),
        DebitAccountId = debit,
        CreditAccountId = credit,
        Amount = (UInt128)amount,
        Ledger = Ledger,
        Code = code,
        UserData64 = (ulong)loanNumber,
        Flags = linked ? TransferFlags.Linked : TransferFlags.None,
    };
}
