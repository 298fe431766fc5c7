using Banyan.Payments.CrossBorder;

namespace Banyan.Payments.Tests.CrossBorder;

public sealed class CorridorTests
{
    private static readonly CorridorTable Table = CorridorTable.Embedded();

    [Fact]
    public void The_table_has_23_countries_covering_all_twelve_currencies()
    {
        Assert.Equal(23, Table.All.Count);
        Assert.Equal(12, Table.All.Select(c => c.Currency).Distinct().Count());
    }

    [Fact]
    public void Inside_business_hours_delivery_is_now_plus_the_corridor_time()
    {
        Assert.True(Table.TryGet("de", out var de));
        var monday0900Berlin = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(monday0900Berlin.AddMinutes(de.DeliveryMinutes), de.ExpectedDelivery(monday0900Berlin));
    }

    [Fact]
    public void After_the_cut_off_or_at_the_weekend_delivery_moves_to_the_next_business_morning()
    {
        Assert.True(Table.TryGet("CN", out var cn));
        var friday1800Shanghai = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var mondayOpening = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(mondayOpening.AddMinutes(cn.DeliveryMinutes), cn.ExpectedDelivery(friday1800Shanghai));
        var tuesday0700Shanghai = new DateTimeOffset(2026, 11, 24, 7, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(8)).AddMinutes(cn.DeliveryMinutes), cn.ExpectedDelivery(tuesday0700Shanghai));
    }
}
