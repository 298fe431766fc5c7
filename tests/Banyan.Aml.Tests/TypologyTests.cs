namespace Banyan.Aml.Tests;

public class TypologyTests
{
    private static readonly DateTime T0 = TestBank.T0;

    [Theory]
    [InlineData(4_000_000, 1, true)]   // three deposits of exactly 80% within 24 h: fires
    [InlineData(3_999_999, 1, false)]  // one cent below 80%: not a structuring deposit
    [InlineData(4_500_000, 12, false)] // 24 h + 1 s between first and third
    public void Structuring_fires_on_three_near_threshold_cash_deposits_within_24_hours(long amount, int hoursApart, bool fires)
    {
        using var bank = new TestBank().Customer("S1");
        bank.Txn(T0, "CASH", "S1", 4_500_000, "cash");
        bank.Txn(T0.AddHours(hoursApart), "CASH", "S1", 4_500_000, "cash");
        bank.Txn(T0.AddHours(2 * hoursApart).AddSeconds(hoursApart == 12 ? 1 : 0), "CASH", "S1", amount, "cash");
        var alerts = bank.Alerts(Typology.Structuring);
        Assert.Equal(fires ? 1 : 0, alerts.Count);
        if (fires) Assert.Contains("3 cash deposits", alerts[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Structuring_at_the_threshold_itself_is_not_structuring()
    {
        using var bank = new TestBank().Customer("S1");
        for (var i = 0; i < 3; i++) bank.Txn(T0.AddHours(i), "CASH", "S1", 5_000_000, "cash");
        Assert.Empty(bank.Alerts(Typology.Structuring));
    }

    [Fact]
    public void A_burst_of_structuring_deposits_is_one_alert_with_every_transaction()
    {
        using var bank = new TestBank().Customer("S1");
        var ids = Enumerable.Range(0, 8).Select(i => bank.Txn(T0.AddHours(i), "CASH", "S1", 4_600_000, "cash")).ToList();
        var result = bank.Scan();
        var alert = Assert.Single(result.AlertList, a => a.Typology == Typology.Structuring);
        Assert.Equal(8, alert.TransactionSeqs.Count);
        Assert.Contains("episode continued", File.ReadAllText(bank.AlertsPath), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(4, false)]
    public void Fan_in_needs_five_distinct_payers_within_24_hours(int distinct, bool fires)
    {
        using var bank = new TestBank().Customer("F1");
        for (var i = 0; i < 6; i++) bank.Txn(T0.AddHours(i * 4), $"P{i % distinct}", "F1", 100_000);
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.FanIn).Count);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)] // the fifth payer arrives 24 h + 1 s after the first
    public void Fan_in_window_is_24_hours(int extraSeconds, bool fires)
    {
        using var bank = new TestBank().Customer("F1");
        for (var i = 0; i < 4; i++) bank.Txn(T0.AddHours(i), $"P{i}", "F1", 100_000);
        bank.Txn(T0.AddHours(24).AddSeconds(extraSeconds), "P9", "F1", 100_000);
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.FanIn).Count);
    }

    [Fact]
    public void Fan_in_ignores_business_accounts_and_card_payments()
    {
        using var bank = new TestBank().Customer("B1", type: "business").Customer("F1");
        for (var i = 0; i < 6; i++) bank.Txn(T0.AddHours(i), $"P{i}", "B1", 100_000);
        for (var i = 0; i < 6; i++) bank.Txn(T0.AddHours(i), $"P{i}", "F1", 100_000, "card");
        Assert.Empty(bank.Alerts(Typology.FanIn));
    }

    [Theory]
    [InlineData(100, true)]   // 5 payees within 6 h 40 min
    [InlineData(121, false)]  // 5 payees over 8 h 4 min
    public void Fan_out_needs_five_distinct_payees_within_8_hours(int minutesApart, bool fires)
    {
        using var bank = new TestBank().Customer("F1");
        for (var i = 0; i < 5; i++) bank.Txn(T0.AddMinutes(i * minutesApart), "F1", $"R{i}", 100_000);
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.FanOut).Count);
    }

    [Theory]
    [InlineData(5_000_000, 90, true)]
    [InlineData(4_999_999, 90, false)] // credit below 50,000.00
    [InlineData(5_000_000, 89, false)] // only 89% passed on
    [InlineData(5_000_000, 111, false)] // more than 110% out is not this money
    public void Pass_through_needs_two_cycles_within_seven_days(long credit, int percentOut, bool fires)
    {
        using var bank = new TestBank().Customer("P1");
        foreach (var day in new[] { 0, 5 })
        {
            bank.Txn(T0.AddDays(day), "X1", "P1", credit);
            bank.Txn(T0.AddDays(day).AddHours(23), "P1", "Y1", credit * percentOut / 100);
        }
        var alerts = bank.Alerts(Typology.PassThrough);
        Assert.Equal(fires ? 1 : 0, alerts.Count);
        if (fires) Assert.Contains("received 50,000.00 CNY and sent out 45,000.00 CNY (90.0%)", alerts[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Pass_through_once_is_not_enough()
    {
        using var bank = new TestBank().Customer("P1");
        bank.Txn(T0, "X1", "P1", 9_000_000);
        bank.Txn(T0.AddHours(3), "P1", "Y1", 9_000_000);
        bank.Txn(T0.AddDays(8), "X1", "P1", 9_000_000);
        bank.Txn(T0.AddDays(8).AddHours(3), "P1", "Y1", 9_000_000);
        Assert.Empty(bank.Alerts(Typology.PassThrough));
    }

    [Theory]
    [InlineData(2_000_000, 1_800_000, 72, true)]  // last hop exactly 10% below, 72 h after the previous
    [InlineData(2_000_000, 1_799_999, 72, false)] // last hop just over 10% below the first amount
    [InlineData(999_999, 999_999, 24, false)]   // below 10,000.00
    [InlineData(1_000_000, 1_000_000, 73, false)] // a hop 73 h after the previous one
    public void Round_trip_returns_to_the_origin_through_similar_transfers(long first, long last, int hopHours, bool fires)
    {
        using var bank = new TestBank().Customer("R1").Customer("R2").Customer("R3");
        bank.Txn(T0, "R1", "R2", first);
        bank.Txn(T0.AddHours(10), "R2", "R3", first);
        bank.Txn(T0.AddHours(10 + hopHours), "R3", "R1", last);
        var alerts = bank.Alerts(Typology.RoundTrip);
        Assert.True((fires ? 1 : 0) == alerts.Count, string.Join("\n", alerts.Select(a => a.Reason)));
        if (fires) Assert.Contains("R1 → R2 → R3 → R1", alerts[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(168, true)]  // back at the origin exactly 7 days after the first transfer
    [InlineData(169, false)] // one hour later
    public void Round_trip_must_return_within_seven_days(int returnHours, bool fires)
    {
        using var bank = new TestBank().Customer("R1").Customer("R2").Customer("R3").Customer("R4");
        bank.Txn(T0, "R1", "R2", 5_000_000);
        bank.Txn(T0.AddHours(60), "R2", "R3", 5_000_000);
        bank.Txn(T0.AddHours(120), "R3", "R4", 5_000_000);
        bank.Txn(T0.AddHours(returnHours), "R4", "R1", 5_000_000);
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.RoundTrip).Count);
    }

    [Fact]
    public void Round_trip_through_an_external_account_is_not_a_customer_chain()
    {
        using var bank = new TestBank().Customer("R1");
        bank.Txn(T0, "R1", "EXT", 5_000_000);
        bank.Txn(T0.AddHours(5), "EXT", "R1", 5_000_000);
        Assert.Empty(bank.Alerts(Typology.RoundTrip));
    }

    [Theory]
    [InlineData(90, 1_000_000, true)]
    [InlineData(89, 1_000_000, false)]
    [InlineData(120, 999_999, false)]
    public void Dormant_account_moving_ten_thousand_after_ninety_days_alerts(int idleDays, long amount, bool fires)
    {
        using var bank = new TestBank().Customer("D1", lastActivity: T0.AddDays(-idleDays));
        bank.Txn(T0, "D1", "EXT", amount);
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.DormantReactivation).Count);
    }

    [Fact]
    public void Dormancy_is_measured_from_the_last_transaction_too()
    {
        using var bank = new TestBank().Customer("D1", lastActivity: T0.AddDays(-200));
        bank.Txn(T0, "D1", "EXT", 100);
        bank.Txn(T0.AddDays(10), "D1", "EXT", 5_000_000);
        var alert = Assert.Single(bank.Alerts(Typology.DormantReactivation));
        Assert.Contains("200.0 days", alert.Reason, StringComparison.Ordinal);
        Assert.Single(alert.TransactionSeqs);
    }

    [Theory]
    [InlineData(5_000_001, true)]
    [InlineData(5_000_000, false)] // exactly 5× is not "exceeds"
    public void Profile_mismatch_when_thirty_day_credits_exceed_five_times_income(long total, bool fires)
    {
        using var bank = new TestBank().Customer("M1", income: 1_000_000);
        bank.Txn(T0, "X1", "M1", total / 2);
        bank.Txn(T0.AddDays(29), "X2", "M1", total - total / 2);
        var alerts = bank.Alerts(Typology.ProfileMismatch);
        Assert.Equal(fires ? 1 : 0, alerts.Count);
        if (fires) Assert.Contains("declared monthly income of 10,000.00 CNY", alerts[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_mismatch_window_is_thirty_days()
    {
        using var bank = new TestBank().Customer("M1", income: 1_000_000);
        bank.Txn(T0, "X1", "M1", 3_000_000);
        bank.Txn(T0.AddDays(30).AddSeconds(1), "X2", "M1", 3_000_000);
        Assert.Empty(bank.Alerts(Typology.ProfileMismatch));
    }

    [Theory]
    [InlineData(10, 0, true)]  // no history: 10 debits beat mean 0 + 3σ 0
    [InlineData(9, 0, false)]  // below the absolute floor of 10
    [InlineData(12, 4, false)] // history alternating 0 and 8 a day: mean 4, σ 4, limit 16
    public void Velocity_spike_needs_ten_debits_and_three_sigma_over_history(int debits, int historyMean, bool fires)
    {
        using var bank = new TestBank().Customer("V1");
        for (var day = 30; day >= 1; day--)
            for (var k = 0; k < (day % 2 == 0 ? 2 * historyMean : 0); k++)
                bank.Txn(T0.AddDays(-day).AddMinutes(k), "V1", "SHOP", 1_000, "card");
        for (var i = 0; i < debits; i++) bank.Txn(T0.AddHours(1).AddMinutes(i * 30), "V1", "SHOP", 1_000, "card");
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.VelocitySpike).Count);
    }

    [Theory]
    [InlineData(3, 5_000_000, 80, true)]
    [InlineData(2, 5_000_000, 80, false)] // two credits only
    [InlineData(3, 4_999_999, 80, false)] // total one cent below 50,000.00
    [InlineData(3, 5_000_000, 79, false)] // 79% sent out
    public void New_account_mule_receives_and_forwards_in_its_first_week(int credits, long total, int percentOut, bool fires)
    {
        using var bank = new TestBank().Customer("N1", opened: T0);
        for (var i = 0; i < credits; i++) bank.Txn(T0.AddDays(1).AddHours(i), $"X{i}", "N1", total / credits + (i == 0 ? total % credits : 0));
        bank.Txn(T0.AddDays(1).AddHours(47), "N1", "OUT", total * percentOut / 100);
        Assert.Equal(fires ? 1 : 0, bank.Alerts(Typology.NewAccountMule).Count);
    }

    [Fact]
    public void New_account_mule_counts_only_money_out_within_48_hours_of_the_first_credit()
    {
        using var bank = new TestBank().Customer("N1", opened: T0);
        for (var i = 0; i < 3; i++) bank.Txn(T0.AddHours(i), $"X{i}", "N1", 2_000_000);
        bank.Txn(T0.AddHours(48).AddSeconds(1), "N1", "OUT", 6_000_000);
        Assert.Empty(bank.Alerts(Typology.NewAccountMule));
    }

    [Theory]
    [InlineData("IR", true)]
    [InlineData("KP", true)]
    [InlineData("IQ", false)]
    public void High_risk_jurisdiction_on_either_side_alerts_on_the_customer_account(string country, bool fires)
    {
        using var bank = new TestBank().Customer("H1");
        bank.Txn(T0, "EXT", "H1", 100, "wire", dc: country);
        var alerts = bank.Alerts(Typology.HighRiskJurisdiction);
        Assert.Equal(fires ? 1 : 0, alerts.Count);
        if (fires) Assert.Contains(country, alerts[0].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PETROV, Ivan", true)]
    [InlineData("Ivan Petrenko", false)]
    public void Sanctions_screening_covers_counterparty_names(string counterparty, bool fires)
    {
        using var bank = new TestBank().Customer("Z1").Sanction("Ivan Petrov");
        bank.Txn(T0, "Z1", "EXT", 100_000, "wire", counterparty: counterparty);
        var alerts = bank.Alerts(Typology.SanctionsMatch);
        Assert.Equal(fires ? 1 : 0, alerts.Count);
        if (fires) Assert.Contains("\"Ivan Petrov\"", alerts[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanctions_screening_covers_customer_names()
    {
        using var bank = new TestBank().Customer("Z1", name: "Petrov Ivan").Customer("Z2", name: "Wang Wei").Sanction("Ivan Petrov");
        var alert = Assert.Single(bank.Alerts(Typology.SanctionsMatch));
        Assert.Equal("Z1", bank.Scan().Bank.Accounts[alert.Subject].Id);
    }

    [Fact]
    public void Thresholds_come_from_the_bank_config()
    {
        using var bank = new TestBank().Customer("D1", lastActivity: T0.AddDays(-40));
        bank.Txn(T0, "D1", "EXT", 1_000_000);
        Assert.Empty(bank.Alerts(Typology.DormantReactivation));
        Assert.Single(bank.Alerts(Typology.DormantReactivation, new AmlConfig { DormantInactiveDays = 30 }));
    }
}
