using System.Globalization;
using System.Security.Cryptography;
using Banyan.Payments.Contracts;
using Banyan.Platform.Money;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Banyan.Payments.CrossBorder;

/// <summary>A request for a quote; exactly one of <see cref="SendAmount"/> (payer's minor units) and <see cref="ReceiveAmount"/> (beneficiary's).</summary>
internal sealed record QuoteInput(
    string Initiator, UInt128 DebitAccountId, string Country, long? SendAmount, long? ReceiveAmount,
    string CreditorName, string CreditorAccount, string CreditorAgentBic, string? Remittance, string? EndToEndId, string? RequestKey = null);

/// <summary>Invalid input, keyed by field (JSON member path or ISO 20022 element path). Nothing was changed.</summary>
internal sealed class XbInvalidException(IReadOnlyDictionary<string, string> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")))
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors;

    public static XbInvalidException One(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}

/// <summary>Prices payments (rate, spread by tier and corridor, fee, margin, expected delivery) and stores quotes with an expiry.</summary>
internal sealed class XbQuotes(
    ICustomerAccounts accounts, FxRateSource rates, CorridorTable corridors, CrossBorderClock clock,
    IOptions<CrossBorderOptions> options, IServiceScopeFactory scopes)
{
    public const int MaxName = 140;
    public const int MaxReference = 35;

    public async Task<XbQuoteRow> CreateAsync(QuoteInput input, CancellationToken ct)
    {
        var (account, corridor) = await CheckAsync(input, ct);
        var row = Price(input, account, corridor);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        if (input.RequestKey is not null && await FindByKeyAsync(db, input, ct) is { } existing)
        {
            return Same(existing, row) ? existing : throw XbInvalidException.One("request", $"Request key '{input.RequestKey}' was already used for a different payment.");
        }

        db.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (input.RequestKey is not null)
        {
            db.ChangeTracker.Clear();
            var winner = await FindByKeyAsync(db, input, ct);
            return winner is not null && Same(winner, row) ? winner : throw XbInvalidException.One("request", $"Request key '{input.RequestKey}' was already used.");
        }

        return row;
    }

    /// <summary>Checks and prices without storing (a pain.001 is checked whole before any quote exists).</summary>
    public async Task PreviewAsync(QuoteInput input, CancellationToken ct)
    {
        var (account, corridor) = await CheckAsync(input, ct);
        _ = Price(input, account, corridor);
    }

    public async Task<XbQuoteRow?> FindAsync(string id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<XbQuoteRow>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == id, ct);
    }

    private static Task<XbQuoteRow?> FindByKeyAsync(DbContext db, QuoteInput input, CancellationToken ct) =>
        db.Set<XbQuoteRow>().AsNoTracking().FirstOrDefaultAsync(q => q.Initiator == input.Initiator && q.RequestKey == input.RequestKey, ct);

    private static bool Same(XbQuoteRow a, XbQuoteRow b) =>
        a.DebitAccountId == b.DebitAccountId && a.Country == b.Country && a.CreditorAccount == b.CreditorAccount && a.EndToEndId == b.EndToEndId
        && (a.Principal == b.Principal || a.Delivered == b.Delivered);

    private async Task<(CustomerAccount, Corridor)> CheckAsync(QuoteInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        if (input.SendAmount.HasValue == input.ReceiveAmount.HasValue)
        {
            errors["send_amount"] = "give exactly one of send_amount and receive_amount";
        }
        else if ((input.SendAmount ?? input.ReceiveAmount) is not > 0)
        {
            errors[input.SendAmount.HasValue ? "send_amount" : "receive_amount"] = "must be a positive number of minor units";
        }

        CheckText(errors, "creditor.name", input.CreditorName, MaxName, s => true);
        CheckText(errors, "creditor.account", input.CreditorAccount, 34, s => s.All(char.IsAsciiLetterOrDigit));
        if (!Iso.IsoText.IsBic(input.CreditorAgentBic))
        {
            errors["creditor.agent_bic"] = "must be a BIC (8 or 11 characters: 4 letters bank, 2 letters country, 2 location, optional 3 branch)";
        }

        if (input.Remittance is { Length: > MaxName })
        {
            errors["remittance"] = $"at most {MaxName} characters";
        }

        if (input.EndToEndId is not null)
        {
            CheckText(errors, "end_to_end_id", input.EndToEndId, MaxReference, Iso.IsoText.IsPrintableLatin);
        }

        if (!corridors.TryGet(input.Country, out var corridor))
        {
            errors["destination_country"] = "no corridor to this country (GET /v1/payments/cross-border/corridors)";
        }

        var account = await accounts.FindAsync(input.DebitAccountId, ct);
        if (account is null)
        {
            errors["debit_account_id"] = "not a customer account";
        }

        return errors.Count > 0 ? throw new XbInvalidException(errors) : (account!, corridor);
    }

    private static void CheckText(Dictionary<string, string> errors, string field, string? value, int max, Func<string, bool> ok)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > max || !ok(value))
        {
            errors[field] = $"1–{max} characters{(max == 34 ? ", letters and digits" : "")}";
        }
    }

    private XbQuoteRow Price(QuoteInput input, CustomerAccount account, Corridor corridor)
    {
        var o = options.Value;
        var (source, destination) = (account.Currency, corridor.Currency);
        var fx = rates.Current;
        var tier = o.TierOf(account.CustomerId);
        var spread = source == destination ? 0 : checked(o.TierSpreadBps[tier] + corridor.SpreadBps);
        var mid = FxMath.Mid(fx, source, destination);
        var rate = FxMath.CustomerRate(mid, spread);
        var principal = input.SendAmount ?? FxMath.PrincipalFor(input.ReceiveAmount!.Value, rate, source, destination);
        var delivered = input.ReceiveAmount ?? FxMath.Deliver(principal, rate, source, destination);
        var max = checked(o.MaxPrincipalMajor * source.MinorPerMajor);
        if (principal > max || delivered < 1)
        {
            throw XbInvalidException.One(input.SendAmount.HasValue ? "send_amount" : "receive_amount",
                principal > max ? $"a payment is at most {source.Format(max)}" : $"too small to deliver one minor unit of {destination.Code}");
        }

        var fee = Math.Min(FxMath.FromUsdMinor(corridor.Fee.CapUsdMinor, fx, source), checked(FxMath.FromUsdMinor(corridor.Fee.FixedUsdMinor, fx, source) + FxMath.Bps(principal, corridor.Fee.Bps)));
        var now = clock.Time.GetUtcNow();
        return new XbQuoteRow
        {
            Id = "xq_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Initiator = input.Initiator, RequestKey = input.RequestKey, CustomerId = account.CustomerId, Tier = tier,
            DebitAccountId = account.AccountId.ToString(CultureInfo.InvariantCulture), Country = corridor.Country,
            SourceLedger = (int)source.Ledger, DestinationLedger = (int)destination.Ledger,
            Principal = principal, Fee = fee, Delivered = delivered, Margin = FxMath.Margin(principal, delivered, mid, source, destination),
            MidRate = mid.FloorToDecimal(FxMath.RateDecimals).ToString(CultureInfo.InvariantCulture), Rate = rate.ToString(CultureInfo.InvariantCulture),
            SpreadBps = spread, RatesSource = (fx.Illustrative ? "ILLUSTRATIVE " : "") + fx.Source,
            CreditorName = input.CreditorName, CreditorAccount = input.CreditorAccount, CreditorAgentBic = input.CreditorAgentBic,
            Remittance = input.Remittance, EndToEndId = input.EndToEndId ?? "NOTPROVIDED", DebtorName = account.CustomerId,
            CreatedAtUnixMs = now.ToUnixTimeMilliseconds(), ExpiresAtUnixMs = now.AddSeconds(o.QuoteValiditySeconds).ToUnixTimeMilliseconds(),
            ExpectedDeliveryUnixMs = corridor.ExpectedDelivery(now).ToUnixTimeMilliseconds(),
        };
    }
}
