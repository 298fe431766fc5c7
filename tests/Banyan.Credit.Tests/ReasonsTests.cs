using Banyan.Credit.Explain;

namespace Banyan.Credit.Tests;

public class ReasonsTests
{
    private static readonly Dictionary<string, double> Contributions = new()
    {
        ["credit_history"] = Math.Log(2) / 2, // +10 points of risk
        ["duration"] = -Math.Log(2) / 4,     // −5 points of risk
        ["own_telephone"] = 0.001,            // rounds to 0 points: not a reason
        ["custom_feature"] = Math.Log(2) * 0.05,
    };

    private static string? Value(string feature) => feature switch
    {
        "credit_history" => "delayed previously",
        "duration" => "12",
        _ => null,
    };

    [Fact]
    public void English_reasons_name_the_input_its_value_and_the_points_largest_first()
    {
        var reasons = Reasons.Top(Contributions, Value, "en", 3);
        Assert.Equal(["credit_history", "duration", "custom_feature"], reasons.Select(r => r.Feature));
        Assert.Equal("Credit history (delayed previously) lowered your score by 10 points.", reasons[0].Text);
        Assert.Equal("Loan duration in months (12) raised your score by 5 points.", reasons[1].Text);
        Assert.Equal("custom_feature (not provided) lowered your score by 1 point.", reasons[2].Text);
    }

    [Fact]
    public void Chinese_reasons_use_the_same_points()
    {
        var reasons = Reasons.Top(Contributions, Value, "zh-CN", 2);
        Assert.Equal("信用记录（delayed previously）使您的评分降低了 10 分。", reasons[0].Text);
        Assert.Equal("贷款期限（月）（12）使您的评分提高了 5 分。", reasons[1].Text);
    }

    [Fact]
    public void An_unknown_language_is_refused() =>
        Assert.Throws<ArgumentException>(() => Reasons.Top(Contributions, Value, "fr", 3));
}
