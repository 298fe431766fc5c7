namespace Banyan.Aml.Tests;

public class LargeValueTests
{
    private static readonly DateTime T0 = TestBank.T0; // 08:00 in Beijing: the business day is 2026-03-01

    [Fact]
    public void Cash_of_fifty_thousand_in_one_business_day_is_reported_not_alerted()
    {
        using var bank = new TestBank().Customer("A1");
        bank.Txn(T0, "CASH", "A1", 3_000_000, "cash");
        bank.Txn(T0.AddHours(10), "A1", "CASH", 2_000_000, "cash");
        var result = bank.Scan();
        Assert.Empty(result.AlertList);
        var report = Assert.Single(bank.ReadJsonl(bank.LargeValuePath));
        Assert.Equal("cash", report.GetProperty("kind").GetString());
        Assert.Equal(5_000_000, report.GetProperty("total_minor").GetInt64());
        Assert.Equal("2026-03-01", report.GetProperty("business_date").GetString());
        Assert.Equal(2, report.GetProperty("transaction_ids").GetArrayLength());
    }

    [Fact]
    public void Cash_split_across_two_business_days_is_not_reported()
    {
        using var bank = new TestBank().Customer("A1");
        bank.Txn(T0, "CASH", "A1", 3_000_000, "cash");
        bank.Txn(T0.AddHours(16), "CASH", "A1", 2_000_000, "cash"); // 00:00 next day in Beijing
        bank.Scan();
        Assert.Empty(bank.ReadJsonl(bank.LargeValuePath));
    }

    [Theory]
    [InlineData("individual", "CN", 50_000_000, "individual_domestic_transfer")]
    [InlineData("individual", "CN", 49_999_999, null)]
    [InlineData("individual", "US", 20_000_000, "individual_cross_border_transfer")]
    [InlineData("individual", "US", 19_999_999, null)]
    [InlineData("business", "CN", 200_000_000, "corporate_transfer")]
    [InlineData("business", "CN", 199_999_999, null)]
    public void Transfers_are_reported_per_pboc_thresholds(string type, string country, long amount, string? kind)
    {
        using var bank = new TestBank().Customer("A1", type: type);
        bank.Txn(T0, "A1", "EXT", amount, "wire", cc: country);
        bank.Scan();
        var reports = bank.ReadJsonl(bank.LargeValuePath);
        if (kind is null) Assert.Empty(reports);
        else Assert.Equal(kind, Assert.Single(reports).GetProperty("kind").GetString());
    }
}
