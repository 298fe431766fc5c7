namespace Banyan.StaffConsole.Api;

// The parts of the API's responses the console shows (snake_case JSON, docs/*-api.md). Tolerant
// readers: settable properties, so a field added by a module never breaks the console.

internal sealed class JournalHeadView
{
    public string Sequence { get; set; } = "0";
    public string Hash { get; set; } = "";
    public string Timestamp { get; set; } = "0";
    public string Pin { get; set; } = "";
}

internal sealed class LedgerAccountView
{
    public string Id { get; set; } = "";
    public int Ledger { get; set; }
    public int Code { get; set; }
    public string[] Flags { get; set; } = [];
    public string DebitsPending { get; set; } = "0";
    public string DebitsPosted { get; set; } = "0";
    public string CreditsPending { get; set; } = "0";
    public string CreditsPosted { get; set; } = "0";
    public string Timestamp { get; set; } = "0";
}

internal sealed class AccountPageView
{
    public List<LedgerAccountView> Accounts { get; set; } = [];
    public string? NextAfter { get; set; }
    public string ProjectedSequence { get; set; } = "0";
}

internal sealed class LedgerTransferView
{
    public string Id { get; set; } = "";
    public string DebitAccountId { get; set; } = "";
    public string CreditAccountId { get; set; } = "";
    public string Amount { get; set; } = "0";
    public int Ledger { get; set; }
    public int Code { get; set; }
    public string[] Flags { get; set; } = [];
    public string Timestamp { get; set; } = "0";
}

internal sealed class TransferPageView
{
    public List<LedgerTransferView> Transfers { get; set; } = [];
    public string? NextAfter { get; set; }
    public string ProjectedSequence { get; set; } = "0";
}

internal sealed class BalanceRow
{
    public string Timestamp { get; set; } = "0";
    public string DebitsPending { get; set; } = "0";
    public string DebitsPosted { get; set; } = "0";
    public string CreditsPending { get; set; } = "0";
    public string CreditsPosted { get; set; } = "0";
}

internal sealed class BalancesView
{
    public string AccountId { get; set; } = "";
    public string? At { get; set; }
    public string DebitsPending { get; set; } = "0";
    public string DebitsPosted { get; set; } = "0";
    public string CreditsPending { get; set; } = "0";
    public string CreditsPosted { get; set; } = "0";
    public List<BalanceRow>? History { get; set; }
    public string ProjectedSequence { get; set; } = "0";
}

internal sealed class CaseSummaryView
{
    public long Id { get; set; }
    public string Party { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Assignee { get; set; }
    public string? Disposition { get; set; }
    public int AlertCount { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
}

internal sealed class CasePageView
{
    public List<CaseSummaryView> Items { get; set; } = [];
    public long? NextAfter { get; set; }
}

internal sealed class AlertItemView
{
    public string AlertId { get; set; } = "";
    public string Typology { get; set; } = "";
    public string? SubjectAccount { get; set; }
    public double Score { get; set; }
    public string Reason { get; set; } = "";
}

internal sealed class CommentItemView
{
    public string Author { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Text { get; set; } = "";
}

internal sealed class EventItemView
{
    public string Actor { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Action { get; set; } = "";
    public string Detail { get; set; } = "";
}

internal sealed class CaseDetailView
{
    public CaseSummaryView Case { get; set; } = new();
    public string? CloseReason { get; set; }
    public List<AlertItemView> Alerts { get; set; } = [];
    public List<CommentItemView> Comments { get; set; } = [];
    public List<EventItemView> History { get; set; } = [];
}

internal sealed class ReasonView
{
    public string Feature { get; set; } = "";
    public string? Value { get; set; }
    public double Contribution { get; set; }
    public int Points { get; set; }
    public string Text { get; set; } = "";
}

internal sealed class CreditDecisionView
{
    public string Id { get; set; } = "";
    public string ModelVersion { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string Decision { get; set; } = "";
    public double ProbabilityBad { get; set; }
    public double Threshold { get; set; }
    public double Margin { get; set; }
    public double BaseValue { get; set; }
    public long? AmountRequested { get; set; }
    public long? Limit { get; set; }
    public int? PriceBps { get; set; }
    public Dictionary<string, string?> Inputs { get; set; } = [];
    public Dictionary<string, double> Contributions { get; set; } = [];
    public List<ReasonView> Reasons { get; set; } = [];
}

internal sealed class PortfolioView
{
    public int LoanCount { get; set; }
    public long GrossLoans { get; set; }
    public List<long> ByCategory { get; set; } = [];
    public long NonPerformingLoans { get; set; }
    public long LoanLossReserve { get; set; }
    public decimal NplRatio { get; set; }
    public decimal ProvisionCoverage { get; set; }
    public decimal LoanLossReserveRatio { get; set; }
    public decimal Top10Concentration { get; set; }
    public decimal SingleCustomerConcentration { get; set; }
}

internal sealed class LoanItemView
{
    public long Number { get; set; }
    public string CustomerReference { get; set; } = "";
    public string ProductCode { get; set; } = "";
    public string Status { get; set; } = "";
    public long Disbursed { get; set; }
    public long PrincipalOutstanding { get; set; }
    public int DaysPastDue { get; set; }
    public string Category { get; set; } = "";
    public int EclStage { get; set; }
    public long ProvisionHeld { get; set; }
}

internal sealed class AuditItemView
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Category { get; set; } = "";
    public string Action { get; set; } = "";
    public string Actor { get; set; } = "";
    public string? Subject { get; set; }
    public string Outcome { get; set; } = "";
    public Dictionary<string, string> Details { get; set; } = [];
}

internal sealed class AuditPageView
{
    public List<AuditItemView> Entries { get; set; } = [];
    public long? NextAfter { get; set; }
}

// RegTech (docs/regtech.md): values are decimal strings.

internal sealed class RegFigureView
{
    public string IndicatorId { get; set; } = "";
    public string NameEn { get; set; } = "";
    public string NameZh { get; set; } = "";
    public string Unit { get; set; } = "";
    public string? Value { get; set; }
    public string Status { get; set; } = "";
    public string Explanation { get; set; } = "";
    public string? Requirement { get; set; }
}

internal sealed class RegFiguresView
{
    public string Profile { get; set; } = "";
    public string AsOf { get; set; } = "";
    public string Currency { get; set; } = "";
    public List<RegFigureView> Figures { get; set; } = [];
}

internal sealed class RegContributionView
{
    public string Source { get; set; } = "";
    public string? AccountId { get; set; }
    public string? Line { get; set; }
    public string? Counterparty { get; set; }
    public string Amount { get; set; } = "0";
    public string? TransferId { get; set; }
    public string? Note { get; set; }
    /// <summary>FX: the account's own currency, its balance there (minor units), the rate used and its date.</summary>
    public string? Currency { get; set; }
    public string? OriginalBalance { get; set; }
    public string? FxRate { get; set; }
    public string? FxRateDate { get; set; }
}

internal sealed class RegQuantityView
{
    public string Ref { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Value { get; set; }
    public string? Undefined { get; set; }
    public List<RegContributionView> Contributions { get; set; } = [];
}

internal sealed class RegDrilldownView
{
    public RegFigureView Figure { get; set; } = new();
    public string AsOf { get; set; } = "";
    public string Expression { get; set; } = "";
    public List<RegQuantityView> Quantities { get; set; } = [];
}

internal sealed class RegAlertView
{
    public string IndicatorId { get; set; } = "";
    public string NameEn { get; set; } = "";
    public string NameZh { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Severity { get; set; } = "";
    public string? Value { get; set; }
    public string Explanation { get; set; } = "";
}

internal sealed class RegWarningsView
{
    public int Count { get; set; }
    public List<RegAlertView> Alerts { get; set; } = [];
}

internal sealed class RegHistoryPointView
{
    public string AsOf { get; set; } = "";
    public string? Value { get; set; }
    public string Status { get; set; } = "";
}

internal sealed class RegIndicatorHistoryView
{
    public string IndicatorId { get; set; } = "";
    public string Unit { get; set; } = "";
    public string? Min { get; set; }
    public string? Required { get; set; }
    public string? Max { get; set; }
    public List<RegHistoryPointView> Points { get; set; } = [];
}

internal sealed class RegHistoryView
{
    public string Profile { get; set; } = "";
    public List<RegIndicatorHistoryView> Indicators { get; set; } = [];
}

// Gateway (docs/gateway.md, operator API, scope admin).

internal sealed class GatewayDecisionView
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Partner { get; set; } = "";
    public string? Customer { get; set; }
    public string Region { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public string Outcome { get; set; } = "";
    public List<string> Reasons { get; set; } = [];
}

internal sealed class GatewayDecisionPageView
{
    public List<GatewayDecisionView> Items { get; set; } = [];
    public long? Next { get; set; }
}

internal sealed class GatewayStatsView
{
    public long Calls { get; set; }
    public long Blocked { get; set; }
    public long StepUps { get; set; }
    public long RateLimited { get; set; }
    public double OverheadP50Micros { get; set; }
    public double OverheadP99Micros { get; set; }
    public double OverheadP999Micros { get; set; }
    public int TrackedKeys { get; set; }
}

// Cross-border payments (docs/payments-cross-border.md). The report is shown field by field as sent.

internal sealed class PaymentTimelineView
{
    public string Status { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Detail { get; set; } = "";
}

internal sealed class CrossBorderPaymentView
{
    public string Uetr { get; set; } = "";
    public string Status { get; set; } = "";
    public List<PaymentTimelineView> Timeline { get; set; } = [];
    public System.Text.Json.JsonElement? Report { get; set; }
}

internal sealed class CorridorRowView
{
    public string Country { get; set; } = "";
    public string Name { get; set; } = "";
    public string Currency { get; set; } = "";
    public string CutOff { get; set; } = "";
    public int DeliveryMinutes { get; set; }
    public string Scheme { get; set; } = "";
}

internal sealed class CorridorListView
{
    public string Note { get; set; } = "";
    public List<CorridorRowView> Corridors { get; set; } = [];
}
