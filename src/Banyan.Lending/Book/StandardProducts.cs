using Banyan.Lending.Schedules;

namespace Banyan.Lending.Book;

/// <summary>The products a new book starts with (SME, farmer, consumer, equipment); more can be added through the API.</summary>
internal static class StandardProducts
{
    public static readonly Product[] All =
    [
        new("sme-working-capital", "SME working capital (equal instalment, monthly)", Amortization.EqualInstalment, Frequency.Monthly, DayCount.Act360, 0.0435m, 0.0653m, 3, 36, 0, 500_000_000, 0.01m),
        new("farmer-seasonal", "Farmer seasonal loan (interest-only, quarterly, bullet)", Amortization.InterestOnly, Frequency.Quarterly, DayCount.Act365, 0.0385m, 0.0578m, 1, 8, 0, 50_000_000, 0m),
        new("consumer-instalment", "Consumer instalment loan (equal principal, monthly)", Amortization.EqualPrincipal, Frequency.Monthly, DayCount.Thirty360, 0.0720m, 0.1080m, 3, 60, 0, 20_000_000, 0.02m),
        new("rider-equipment", "Rider equipment loan (equal instalment, 2 months' grace)", Amortization.EqualInstalment, Frequency.Monthly, DayCount.Act365, 0.0600m, 0.0900m, 6, 24, 2, 3_000_000, 0m),
    ];

    public static void AddTo(LoanBook book)
    {
        foreach (var product in All)
        {
            var added = book.AddProduct(product, record: false);
            if (!added.Ok) throw new InvalidOperationException($"standard product {product.Code}: {added.Detail}");
        }
    }
}
