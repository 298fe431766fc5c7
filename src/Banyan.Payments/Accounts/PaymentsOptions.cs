namespace Banyan.Payments.Accounts;

/// <summary>Configuration <c>Banyan:Payments</c> (docs/payments.md).</summary>
internal sealed class PaymentsOptions
{
    public const string Section = "Banyan:Payments";

    /// <summary>Largest single domestic transfer, in major units of its currency (default 50,000).</summary>
    public long PerTransferLimit { get; set; } = 50_000;

    /// <summary>Largest total of domestic transfers out of one account per business day, major units (default 200,000).</summary>
    public long DailyLimit { get; set; } = 200_000;

    /// <summary>Largest single deposit, major units (default 1,000,000).</summary>
    public long DepositLimit { get; set; } = 1_000_000;

    /// <summary>UTC offset of the business day (hours; default 8, China Standard Time).</summary>
    public int BusinessDayUtcOffsetHours { get; set; } = 8;

    public void Validate()
    {
        if (PerTransferLimit <= 0 || DailyLimit <= 0 || DepositLimit <= 0)
        {
            throw new InvalidOperationException("Banyan:Payments limits must be positive.");
        }

        if (BusinessDayUtcOffsetHours is < -12 or > 14)
        {
            throw new InvalidOperationException("Banyan:Payments:BusinessDayUtcOffsetHours must be between -12 and 14.");
        }
    }
}
