using System.Globalization;

namespace Banyan.Credit.Explain;

/// <summary>One customer-facing reason: which input moved the score, by how many points, in words.</summary>
internal sealed record Reason(string Feature, string? Value, double Contribution, int Points, string Text);

/// <summary>
/// Turns Shapley contributions (log-odds of bad) into plain-language reasons in English or simplified
/// Chinese. Points follow the scorecard convention that 20 points double the odds of good, so a
/// contribution c lowers the score by c·20/ln 2 points.
/// </summary>
internal static class Reasons
{
    public const double PointsToDoubleOdds = 20;
    public static readonly IReadOnlyList<string> Languages = ["en", "zh-CN"];

    public static int Points(double contribution) =>
        (int)Math.Round(contribution * PointsToDoubleOdds / Math.Log(2), MidpointRounding.AwayFromZero);

    /// <summary>The <paramref name="count"/> largest contributions by size (ties by name), in <paramref name="language"/>.</summary>
    public static IReadOnlyList<Reason> Top(IReadOnlyDictionary<string, double> contributions, Func<string, string?> value, string language, int count)
    {
        if (!Languages.Contains(language)) throw new ArgumentException($"language must be one of {string.Join(", ", Languages)}");
        return contributions
            .Where(c => Points(c.Value) != 0)
            .OrderByDescending(c => Math.Abs(c.Value)).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, count))
            .Select(c => new Reason(c.Key, value(c.Key), c.Value, Points(c.Value), Sentence(c.Key, value(c.Key), Points(c.Value), language)))
            .ToList();
    }

    private static string Sentence(string feature, string? value, int points, string language)
    {
        var size = Math.Abs(points).ToString(CultureInfo.InvariantCulture);
        if (language == "zh-CN")
        {
            var label = Glossary.TryGetValue(feature, out var g) ? g.Zh : feature;
            var shown = value ?? "未提供";
            return points > 0 ? $"{label}（{shown}）使您的评分降低了 {size} 分。" : $"{label}（{shown}）使您的评分提高了 {size} 分。";
        }
        var name = Glossary.TryGetValue(feature, out var e) ? e.En : feature;
        var text = value ?? "not provided";
        var unit = Math.Abs(points) == 1 ? "point" : "points";
        return points > 0 ? $"{name} ({text}) lowered your score by {size} {unit}." : $"{name} ({text}) raised your score by {size} {unit}.";
    }

    /// <summary>Readable names for the columns of the bundled data sets; other columns show their own name.</summary>
    private static readonly Dictionary<string, (string En, string Zh)> Glossary = new(StringComparer.Ordinal)
    {
        ["checking_status"] = ("Checking account balance", "支票账户余额"),
        ["duration"] = ("Loan duration in months", "贷款期限（月）"),
        ["credit_history"] = ("Credit history", "信用记录"),
        ["purpose"] = ("Loan purpose", "贷款用途"),
        ["credit_amount"] = ("Loan amount", "贷款金额"),
        ["savings_status"] = ("Savings", "储蓄"),
        ["employment"] = ("Years in current employment", "现职年限"),
        ["installment_commitment"] = ("Instalment as % of income", "分期还款占收入比例"),
        ["personal_status"] = ("Personal status", "个人状况"),
        ["other_parties"] = ("Co-applicant or guarantor", "共同申请人或担保人"),
        ["residence_since"] = ("Years at current address", "现住址居住年限"),
        ["property_magnitude"] = ("Property", "财产"),
        ["age"] = ("Age", "年龄"),
        ["other_payment_plans"] = ("Other instalment plans", "其他分期付款计划"),
        ["housing"] = ("Housing", "住房情况"),
        ["existing_credits"] = ("Existing loans at this bank", "在本行的现有贷款数"),
        ["job"] = ("Job", "职业"),
        ["num_dependents"] = ("Number of dependants", "受抚养人数"),
        ["own_telephone"] = ("Telephone", "电话"),
        ["foreign_worker"] = ("Foreign worker", "外籍劳工"),
        ["Seniority"] = ("Years with current employer", "现单位工龄"),
        ["Home"] = ("Home ownership", "住房状况"),
        ["Time"] = ("Loan term in months", "贷款期限（月）"),
        ["Age"] = ("Age", "年龄"),
        ["Marital"] = ("Marital status", "婚姻状况"),
        ["Records"] = ("Past default records", "历史违约记录"),
        ["Job"] = ("Employment type", "就业类型"),
        ["Expenses"] = ("Monthly expenses", "月支出"),
        ["Income"] = ("Monthly income", "月收入"),
        ["Assets"] = ("Assets", "资产"),
        ["Debt"] = ("Debt", "负债"),
        ["Amount"] = ("Loan amount", "贷款金额"),
        ["Price"] = ("Price of the goods financed", "所购商品价格"),
    };
}
