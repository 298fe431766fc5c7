using Banyan.Lending.Contracts;

namespace Banyan.Lending.Close;

/// <summary>
/// Five-category thresholds (days past due at which a category starts) and provision rates per
/// category. Defaults: special mention from 1 day, substandard from 91, doubtful from 181, loss
/// from 361; provisions 1 % / 2 % / 25 % / 50 % / 100 % (PBoC "Guidelines on Loan Loss
/// Provisioning", 2002). Sources and the 2023 NFRA rule differences: docs/lending.md §4.
/// </summary>
internal sealed record ClassificationRules
{
    public int SpecialMentionFrom { get; init; } = 1;
    public int SubstandardFrom { get; init; } = 91;
    public int DoubtfulFrom { get; init; } = 181;
    public int LossFrom { get; init; } = 361;
    public decimal NormalRate { get; init; } = 0.01m;
    public decimal SpecialMentionRate { get; init; } = 0.02m;
    public decimal SubstandardRate { get; init; } = 0.25m;
    public decimal DoubtfulRate { get; init; } = 0.50m;
    public decimal LossRate { get; init; } = 1.00m;

    public static ClassificationRules Default { get; } = new();

    public string? Validate()
    {
        if (!(SpecialMentionFrom >= 1 && SubstandardFrom > SpecialMentionFrom && DoubtfulFrom > SubstandardFrom && LossFrom > DoubtfulFrom))
            return "thresholds must be strictly increasing from at least 1 day";
        decimal[] rates = [NormalRate, SpecialMentionRate, SubstandardRate, DoubtfulRate, LossRate];
        if (rates.Any(r => r < 0m || r > 1m)) return "provision rates must be between 0 and 1";
        return null;
    }

    public LoanCategory Classify(int daysPastDue) =>
        daysPastDue >= LossFrom ? LoanCategory.Loss
        : daysPastDue >= DoubtfulFrom ? LoanCategory.Doubtful
        : daysPastDue >= SubstandardFrom ? LoanCategory.Substandard
        : daysPastDue >= SpecialMentionFrom ? LoanCategory.SpecialMention
        : LoanCategory.Normal;

    public decimal Rate(LoanCategory category) => category switch
    {
        LoanCategory.Normal => NormalRate,
        LoanCategory.SpecialMention => SpecialMentionRate,
        LoanCategory.Substandard => SubstandardRate,
        LoanCategory.Doubtful => DoubtfulRate,
        _ => LossRate,
    };

    /// <summary>IFRS 9 / CECL-style stage: performing = 1, special mention (significant increase in credit risk) = 2, non-performing = 3.</summary>
    public static int EclStage(LoanCategory category) => category switch
    {
        LoanCategory.Normal => 1,
        LoanCategory.SpecialMention => 2,
        _ => 3,
    };
}
