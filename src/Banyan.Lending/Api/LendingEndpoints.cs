using Banyan.Lending.Book;
using Banyan.Lending.Close;
using Banyan.Lending.Contracts;
using Banyan.Lending.Schedules;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Lending.Api;

/// <summary>
/// The lending HTTP contract under <c>/v1/lending</c> (scope <c>lending</c>). Handlers validate
/// before anything moves; every refusal is a problem document and changes nothing.
/// </summary>
internal static class LendingEndpoints
{
    public static void Map(IEndpointRouteBuilder v1)
    {
        var g = v1.MapGroup("/lending").RequireAuthorization(ScopePolicy.For("lending")).WithTags("Lending");
        g.MapGet("/products", (LoanBook book) => TypedResults.Ok(book.Products.Select(ProductBody.From).ToArray())).WithName("ListLendingProducts").WithSummary("Loan products.").Produces<ProductBody[]>();
        g.MapPost("/products", AddProduct).WithName("CreateLendingProduct").WithSummary("Add a loan product.").Produces<ProductBody>(StatusCodes.Status201Created);
        g.MapPost("/customers", OpenCustomer).WithName("OpenLendingCustomer").WithSummary("Open a borrower with a deposit account (idempotent on the reference).").Produces<CustomerView>();
        g.MapPost("/customers/{reference}/deposits", Deposit).WithName("DepositLendingCustomer").WithSummary("Cash in to the borrower's deposit account.").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/loans", Disburse).WithName("CreateLoan").WithSummary("Book and disburse an approved application.").Produces<LoanView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/loans", ListLoans).WithName("ListLoans").WithSummary("Loans, optionally of one category (at most 100 per page, by loan number).").Produces<LoanView[]>();
        g.MapGet("/loans/{number:long}", GetLoan).WithName("GetLoan").WithSummary("A loan's state.").Produces<LoanView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/loans/{number:long}/schedule", GetSchedule).WithName("GetLoanSchedule").WithSummary("The repayment schedule with what is paid.").Produces<InstalmentView[]>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/loans/{number:long}/repayments", Repay).WithName("RepayLoan").WithSummary("A repayment from the borrower's deposit account.").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/loans/{number:long}/settlement-quote", QuoteSettlement).WithName("QuoteLoanSettlement").WithSummary("What settles the loan on a date.").Produces<QuoteView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/loans/{number:long}/settlement", Settle).WithName("SettleLoan").WithSummary("Settle the loan early at the quoted amount.").Produces<QuoteView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/loans/{number:long}/prepayments", Prepay).WithName("PrepayLoan").WithSummary("A partial prepayment, re-amortised keeping the term or the instalment.").Produces<PrepaymentView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/loans/{number:long}/reschedule", Reschedule).WithName("RescheduleLoan").WithSummary("Extend the term and/or change the rate (interest in arrears is capitalised).").Produces<RescheduleView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/benchmarks/{name}/rates", SetBenchmark).WithName("SetLendingBenchmarkRate").WithSummary("Publish a benchmark rate (e.g. LPR1Y) effective from a date.").Produces(StatusCodes.Status200OK);
        g.MapPost("/lines", OpenLine).WithName("OpenCreditLine").WithSummary("Open a revolving credit line for a borrower.").Produces<LineView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/lines/{number:long}", GetLine).WithName("GetCreditLine").WithSummary("A credit line: limit, drawn, available, interest receivable.").Produces<LineView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/lines/{number:long}/drawdowns", Draw).WithName("DrawCreditLine").WithSummary("Draw within the available amount (over the limit: 422 over_limit, nothing changed).").Produces<LineView>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        g.MapPost("/lines/{number:long}/repayments", RepayLine).WithName("RepayCreditLine").WithSummary("Repay interest then drawn principal; repaid principal is available again.").Produces<LineView>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapGet("/loans/{number:long}/statement", Statement).WithName("GetLoanStatement").WithSummary("The loan's statement for a period: opening/closing principal, interest accrued, payments, fees.").Produces<LoanStatement>().ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/close", CloseDay).WithName("CloseLendingDay").WithSummary("Run the daily close for a date.");
        g.MapGet("/portfolio", (ILoanPortfolio portfolio) => TypedResults.Ok(portfolio.Figures())).WithName("GetLendingPortfolio").WithSummary("Portfolio figures.").Produces<PortfolioFigures>();
    }

    private static IResult AddProduct(ProductBody body, LoanBook book)
    {
        var added = book.AddProduct(body.ToProduct());
        return added.Ok ? TypedResults.Created($"/v1/lending/products/{body.Code}", body) : Refuse(added.Refusal, added.Detail);
    }

    private static async Task<IResult> OpenCustomer(CustomerBody body, LoanBook book, CancellationToken ct)
    {
        var opened = await book.OpenCustomerAsync(body.Reference, ct);
        return opened.Ok ? TypedResults.Ok(new CustomerView(opened.Value.Reference, opened.Value.Number, opened.Value.Account.ToString())) : Refuse(opened.Refusal, opened.Detail);
    }

    private static async Task<IResult> Deposit(string reference, AmountBody body, LoanBook book, CancellationToken ct)
    {
        var done = await book.DepositAsync(reference, body.Amount, ct);
        return done.Ok ? TypedResults.Ok(new { reference, amount = done.Value }) : Refuse(done.Refusal, done.Detail);
    }

    private static async Task<IResult> Disburse(LoanBody body, LoanBook book, LendingOptions options, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.ApplicationId) || body.ApplicationId.Length > 64)
            return BanyanProblems.Validation("application_id must be 1 to 64 characters", new Dictionary<string, string[]> { ["application_id"] = ["required, at most 64 characters"] });
        if (CreditApproval.Check(body, options, http.RequestServices.GetService<Banyan.Credit.Contracts.ICreditDecisions>()) is { } refused) return refused;
        var outcome = await book.DisburseAsync(new LoanApplication(body.CustomerReference, body.ProductCode, body.Principal, body.Instalments, body.StartDate, body.ApplicationId), ct);
        return outcome.Ok ? TypedResults.Created($"/v1/lending/loans/{outcome.Value}", View(book, outcome.Value)) : Refuse(outcome.Refusal, outcome.Detail);
    }

    private static IResult ListLoans(LoanBook book, string? category, long? after, int? limit)
    {
        LoanCategory? wanted = null;
        if (category is not null)
        {
            var match = Enum.GetValues<LoanCategory>().Where(c => SnakeCase(c) == category).ToArray();
            if (match.Length == 0) return BanyanProblems.Validation("unknown category", new Dictionary<string, string[]> { ["category"] = ["normal, special_mention, substandard, doubtful or loss"] });
            wanted = match[0];
        }
        var take = limit ?? 20;
        if (take is < 1 or > 100) return BanyanProblems.Validation("limit must be between 1 and 100", new Dictionary<string, string[]> { ["limit"] = ["1 to 100"] });
        var views = new List<LoanView>(take);
        for (var n = (after ?? 0) + 1; n <= book.LoanCount && views.Count < take; n++)
        {
            if (book.TryGetLoan(n, out var loan) && loan.Status == LoanStatus.Active && (wanted is null || loan.Category == wanted)) views.Add(View(book, n));
        }
        return TypedResults.Ok(views);
    }

    private static string SnakeCase(LoanCategory c) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(c.ToString());

    private static IResult GetLoan(long number, LoanBook book) =>
        book.TryGetLoan(number, out _) ? TypedResults.Ok(View(book, number)) : BanyanProblems.NotFound($"no loan {number}");

    private static IResult GetSchedule(long number, LoanBook book)
    {
        if (!book.TryGetLoan(number, out _)) return BanyanProblems.NotFound($"no loan {number}");
        return TypedResults.Ok(book.Schedule(number).Select((r, i) =>
            new InstalmentView(i + 1, r.Start, r.Due, r.Opening, r.Principal, r.Interest, r.Principal + r.Interest, r.PrincipalPaid, r.InterestPaid)).ToArray());
    }

    private static async Task<IResult> Repay(long number, RepaymentBody body, LoanBook book, HttpContext http, CancellationToken ct)
    {
        var date = body.Date ?? Today(http);
        var paid = await book.RepayAsync(number, body.Amount, date, ct);
        return paid.Ok ? TypedResults.Ok(new { loan_number = number, date, penalty = paid.Value.Penalty, interest = paid.Value.Interest, principal = paid.Value.Principal }) : Refuse(paid.Refusal, paid.Detail);
    }

    private static IResult QuoteSettlement(long number, DateOnly? date, LoanBook book, HttpContext http)
    {
        var quote = book.Quote(number, date ?? Today(http));
        return quote.Ok ? TypedResults.Ok(QuoteView.From(quote.Value)) : Refuse(quote.Refusal, quote.Detail);
    }

    private static async Task<IResult> Settle(long number, SettlementBody body, LoanBook book, CancellationToken ct)
    {
        var settled = await book.SettleAsync(number, body.Date, body.Amount, ct);
        return settled.Ok ? TypedResults.Ok(QuoteView.From(settled.Value)) : Refuse(settled.Refusal, settled.Detail);
    }

    private static async Task<IResult> Prepay(long number, PrepaymentBody body, LoanBook book, CancellationToken ct)
    {
        PrepaymentMode? mode = body.Mode switch { null or "keep_term" => PrepaymentMode.KeepTerm, "keep_instalment" => PrepaymentMode.KeepInstalment, _ => null };
        if (mode is null) return BanyanProblems.Validation("unknown mode", new Dictionary<string, string[]> { ["mode"] = ["keep_term or keep_instalment"] });
        var done = await book.PrepayAsync(number, body.Amount, body.Date, mode.Value, ct);
        return done.Ok ? TypedResults.Ok(PrepaymentView.From(number, done.Value)) : Refuse(done.Refusal, done.Detail);
    }

    private static async Task<IResult> Reschedule(long number, RescheduleBody body, LoanBook book, CancellationToken ct)
    {
        var done = await book.RescheduleAsync(number, body.Date, body.ExtraInstalments, body.AnnualRate, ct);
        return done.Ok ? TypedResults.Ok(RescheduleView.From(number, done.Value)) : Refuse(done.Refusal, done.Detail);
    }

    private static IResult SetBenchmark(string name, BenchmarkBody body, LoanBook book)
    {
        var set = book.SetBenchmarkRate(name, body.Effective, body.Rate);
        return set.Ok ? TypedResults.Ok(new { benchmark = name, effective = body.Effective, rate = set.Value }) : Refuse(set.Refusal, set.Detail);
    }

    private static async Task<IResult> OpenLine(LineBody body, LoanBook book, CancellationToken ct)
    {
        if (!Enum.TryParse<DayCount>(body.DayCount ?? "Act365", ignoreCase: true, out var dayCount) || !Enum.IsDefined(dayCount))
            return BanyanProblems.Validation("unknown day_count", new Dictionary<string, string[]> { ["day_count"] = ["act360, act365 or thirty360"] });
        var opened = await book.OpenLineAsync(body.CustomerReference, body.Limit, body.AnnualRate, dayCount, body.Opened, ct);
        return opened.Ok ? TypedResults.Created($"/v1/lending/lines/{opened.Value}", LineView.From(book, opened.Value)) : Refuse(opened.Refusal, opened.Detail);
    }

    private static IResult GetLine(long number, LoanBook book) =>
        book.TryGetLine(number, out _) ? TypedResults.Ok(LineView.From(book, number)) : BanyanProblems.NotFound($"no credit line {number}");

    private static async Task<IResult> Draw(long number, LineMoveBody body, LoanBook book, CancellationToken ct)
    {
        var done = await book.DrawAsync(number, body.Amount, body.Date, ct);
        return done.Ok ? TypedResults.Ok(LineView.From(book, number)) : Refuse(done.Refusal, done.Detail);
    }

    private static async Task<IResult> RepayLine(long number, LineMoveBody body, LoanBook book, CancellationToken ct)
    {
        var done = await book.RepayLineAsync(number, body.Amount, body.Date, ct);
        return done.Ok ? TypedResults.Ok(LineView.From(book, number)) : Refuse(done.Refusal, done.Detail);
    }

    private static async Task<IResult> Statement(long number, DateOnly? from, DateOnly? to, LoanBook book, CancellationToken ct)
    {
        if (from is null || to is null) return BanyanProblems.Validation("from and to are required", new Dictionary<string, string[]> { ["from"] = ["yyyy-mm-dd"], ["to"] = ["yyyy-mm-dd"] });
        var statement = await book.StatementAsync(number, from.Value, to.Value, ct);
        return statement.Ok ? TypedResults.Ok(statement.Value) : Refuse(statement.Refusal, statement.Detail);
    }

    private static async Task<IResult> CloseDay(CloseBody body, LoanBook book, CancellationToken ct)
    {
        if (book.LastCloseDate is { } last && body.Date < last) return BanyanProblems.Conflict($"the book was closed for {last:yyyy-MM-dd}; a close cannot go back");
        var summary = await book.CloseDayAsync(body.Date, ct);
        return TypedResults.Ok(new { summary.Date, summary.LoansClosed, summary.InterestAccrued, summary.PenaltyAccrued, summary.ProvisionCharged, summary.ProvisionReleased, by_category = summary.ByCategory });
    }

    private static DateOnly Today(HttpContext http) =>
        DateOnly.FromDateTime((http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow().UtcDateTime);

    internal static LoanView View(LoanBook book, long number)
    {
        book.TryGetLoan(number, out var l);
        return new LoanView(l.Number, book.Customer(l.Customer).Reference, book.Products[l.Product].Code, l.Status.ToString().ToLowerInvariant(), l.Disbursed, l.PrincipalOutstanding,
            l.InterestReceivable, l.PenaltyRecognised - l.PenaltyPaid, l.DaysPastDue, l.Category, ClassificationRules.EclStage(l.Category), l.ProvisionHeld,
            l.Disbursement, l.LastClosed, book.Chart.Loan(number, LoanAccount.PrincipalReceivable).ToString(), book.Chart.Loan(number, LoanAccount.InterestReceivable).ToString());
    }

    /// <summary>A refusal as a problem document: unknown → 404, bad input → 400, state → 409, business rule or ledger → 422.</summary>
    internal static IResult Refuse(Refusal refusal, string? detail) => refusal switch
    {
        Refusal.NotFound => BanyanProblems.NotFound(detail ?? "not found"),
        Refusal.Invalid => BanyanProblems.Validation(detail ?? "invalid"),
        Refusal.WrongState => BanyanProblems.Conflict(detail ?? "conflict"),
        Refusal.InsufficientFunds => BanyanProblems.Unprocessable(detail ?? "insufficient funds", [new("reason", "insufficient_funds")]),
        Refusal.OverLimit => BanyanProblems.Unprocessable(detail ?? "over the credit limit", [new("reason", "over_limit")]),
        _ => BanyanProblems.Unprocessable(detail ?? "refused", [new("reason", "ledger_rejected")]),
    };
}
