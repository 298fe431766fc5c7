using Banyan.Lending.Book;
using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;

namespace Banyan.Lending.Api;

internal sealed record ProductBody(
    string Code, string Name, Amortization Amortization, Frequency Frequency, DayCount DayCount,
    decimal AnnualRate, decimal PenaltyRate, int MinInstalments, int MaxInstalments, int GraceInstalments,
    long MaxPrincipal, decimal PrepaymentFeeRate, decimal OriginationFeeRate = 0m, bool OriginationFeeFinanced = false, long LateFee = 0, int LateFeeAfterDays = 0,
    string? Benchmark = null, decimal Spread = 0m, int RepriceEveryInstalments = 1)
{
    public Product ToProduct() => new(Code, Name, Amortization, Frequency, DayCount, AnnualRate, PenaltyRate, MinInstalments, MaxInstalments, GraceInstalments, MaxPrincipal, PrepaymentFeeRate, OriginationFeeRate, OriginationFeeFinanced, LateFee, LateFeeAfterDays, Benchmark, Spread, RepriceEveryInstalments);

    public static ProductBody From(Product p) => new(p.Code, p.Name, p.Amortization, p.Frequency, p.DayCount, p.AnnualRate, p.PenaltyRate, p.MinInstalments, p.MaxInstalments, p.GraceInstalments, p.MaxPrincipal, p.PrepaymentFeeRate, p.OriginationFeeRate, p.OriginationFeeFinanced, p.LateFee, p.LateFeeAfterDays, p.Benchmark, p.Spread, p.RepriceEveryInstalments);
}

internal sealed record CustomerBody(string Reference);

internal sealed record CustomerView(string Reference, long Number, string AccountId);

internal sealed record AmountBody(long Amount);

/// <summary>An approved credit application to book as a loan. <c>ApplicationId</c> is the credit decision's reference, kept for the audit trail.</summary>
internal sealed record LoanBody(string ApplicationId, string CustomerReference, string ProductCode, long Principal, int Instalments, DateOnly StartDate);

internal sealed record RepaymentBody(long Amount, DateOnly? Date);

internal sealed record SettlementBody(long Amount, DateOnly Date);

internal sealed record CloseBody(DateOnly Date);

internal sealed record LoanView(
    long Number, string CustomerReference, string ProductCode, string Status, long Disbursed, long PrincipalOutstanding,
    long InterestReceivable, long PenaltyOutstanding, int DaysPastDue, LoanCategory Category, int EclStage, long ProvisionHeld,
    DateOnly Disbursement, DateOnly LastClosed, string PrincipalAccountId, string InterestAccountId);

internal sealed record InstalmentView(int Number, DateOnly PeriodStart, DateOnly DueDate, long Opening, long Principal, long Interest, long Total, long PrincipalPaid, long InterestPaid);

internal sealed record QuoteView(long LoanNumber, DateOnly AsOf, long Principal, long Interest, long Penalty, long Fee, long Total)
{
    public static QuoteView From(SettlementQuote q) => new(q.LoanNumber, q.AsOf, q.Principal, q.Interest, q.Penalty, q.Fee, q.Total);
}

internal sealed record PrepaymentBody(long Amount, DateOnly Date, string? Mode = null);

internal sealed record PrepaymentView(long LoanNumber, long Principal, long Interest, long Fee, long Total, int InstalmentsLeft, long NextInstalment)
{
    public static PrepaymentView From(long loan, PrepaymentResult r) => new(loan, r.Principal, r.Interest, r.Fee, r.Total, r.InstalmentsLeft, r.NextInstalment);
}

internal sealed record RescheduleBody(DateOnly Date, int ExtraInstalments = 0, decimal? AnnualRate = null);

internal sealed record RescheduleView(long LoanNumber, long Capitalised, long Principal, decimal AnnualRate, int InstalmentsLeft, DateOnly? ObservationUntil)
{
    public static RescheduleView From(long loan, RescheduleResult r) => new(loan, r.Capitalised, r.Principal, r.AnnualRate, r.InstalmentsLeft, r.ObservationUntil == default ? null : r.ObservationUntil);
}

internal sealed record BenchmarkBody(DateOnly Effective, decimal Rate);

internal sealed record LineBody(string CustomerReference, long Limit, decimal AnnualRate, DateOnly Opened, string? DayCount = null);

internal sealed record LineMoveBody(long Amount, DateOnly Date);

internal sealed record LineView(long Number, string CustomerReference, long Limit, long Drawn, long Available, long InterestReceivable, decimal AnnualRate, DateOnly LastEvent, string PrincipalAccountId)
{
    public static LineView From(LoanBook book, long number)
    {
        book.TryGetLine(number, out var l);
        return new(l.Number, book.Customer(l.Customer).Reference, l.Limit, l.Drawn, l.Available, l.InterestReceivable, l.AnnualRate, l.LastEvent, book.Chart.Line(number, LoanAccount.PrincipalReceivable).ToString());
    }
}
