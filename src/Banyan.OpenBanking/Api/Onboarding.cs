using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Banyan.Payments.Contracts;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Money;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Banyan.OpenBanking.Api;

/// <summary>Partner: open an account for a person its app has identified (signed identity assertion).</summary>
internal sealed record EmbeddedOnboarding(string Assertion);

/// <summary>
/// The opened customer, account and activated virtual card (token and last four digits only), with the time it took,
/// and the customer's recovery codes: shown once, for the partner app to hand to the customer (stored only hashed).
/// </summary>
internal sealed record OnboardingView(string CustomerId, string AccountId, string Currency, string CardToken, string CardLast4, string CardStatus, double ElapsedMs,
    IReadOnlyList<string> RecoveryCodes);

/// <summary>A virtual debit card: the PAN only ever stored protected (Data Protection), referred to by its token.</summary>
internal sealed class CardRow
{
    public string Token { get; set; } = "";

    public string CustomerId { get; set; } = "";

    public string AccountId { get; set; } = "";

    public string ProtectedPan { get; set; } = "";

    public string Last4 { get; set; } = "";

    public string Status { get; set; } = "";

    public long CreatedAtUnixMs { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var c = model.Entity<CardRow>();
        c.ToTable("openbanking_cards");
        c.HasKey(x => x.Token);
        c.Property(x => x.Token).HasMaxLength(40);
        c.Property(x => x.CustomerId).HasMaxLength(40);
        c.Property(x => x.AccountId).HasMaxLength(40);
        c.Property(x => x.ProtectedPan).HasMaxLength(1024);
        c.Property(x => x.Last4).HasMaxLength(4);
        c.Property(x => x.Status).HasMaxLength(16);
        c.HasIndex(x => x.CustomerId);
    }
}

/// <summary>
/// Embedded onboarding (issue 5 item 6): the partner app (e.g. a government service app) sends a JWT it signed
/// with its registered key (<c>iss</c> = its client id, <c>aud</c> = the bank, <c>exp</c> ≤ 10 minutes, single-use
/// <c>jti</c>, <c>name</c>, <c>national_id_hash</c>, <c>phone</c>); the bank opens a customer, a CNY ledger
/// account and an activated virtual debit card in one request and reports how long it took.
/// </summary>
internal static class Onboarding
{
    public const string AssertionType = "identity-assertion+jwt";
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(10);

    public static void Map(IEndpointRouteBuilder openBanking) =>
        openBanking.MapPost("/onboarding", OnboardAsync).RequireAuthorization(ScopePolicy.For(OpenBankingScopes.Onboarding)).WithTags("open-banking")
            .WithName("open_banking_embedded_onboarding").WithSummary("Open a customer, account and virtual card from a partner's signed identity assertion");

    private static async Task<Results<Created<OnboardingView>, ProblemHttpResult>> OnboardAsync(EmbeddedOnboarding body, HttpContext http, Guard guard)
    {
        var clock = Stopwatch.StartNew();
        var (caller, problem) = await guard.PartnerAsync(http);
        if (caller is null)
        {
            return problem!;
        }

        var services = http.RequestServices;
        var (identity, name, error) = await CheckAssertionAsync(body.Assertion, caller, http, services);
        if (identity is null)
        {
            return BanyanProblems.Problem(OpenBankingProblems.InvalidAssertion, error);
        }

        if (await ScreenAsync(services, caller, identity, name!, http.RequestAborted) is { } held)
        {
            return held;
        }

        var (customer, _, recoveryCodes, createError) = await services.GetRequiredService<Customers>().EnrolAsync(
            "emb-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) + "aA1!", null, http.RequestAborted);
        if (customer is null)
        {
            throw new InvalidOperationException("Opening the customer failed: " + createError);
        }

        var account = await services.GetRequiredService<ICustomerAccounts>().OpenAsync(customer.Id, Currencies.Cny, http.RequestAborted);
        var card = await IssueCardAsync(services, customer.Id, account.AccountId.ToString(CultureInfo.InvariantCulture), http.RequestAborted);
        await services.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("partner", "customer_onboarded", caller.ClientId, customer.Id, "succeeded",
            new Dictionary<string, string> { ["card_token"] = card.Token, ["card_last4"] = card.Last4, ["assertion_jti"] = identity }), http.RequestAborted);
        var view = new OnboardingView(customer.Id, card.AccountId, Currencies.Cny.Code, card.Token, card.Last4, card.Status, clock.Elapsed.TotalMilliseconds, recoveryCodes);
        return TypedResults.Created($"/v1/open-banking/onboarding/{customer.Id}", view);
    }

    /// <summary>
    /// Sanctions screening at onboarding (issue 7) through the AML module when it is in the host. A hit opens
    /// nothing; the partner learns only that the bank must review the application (no tipping-off: the
    /// list entry is in the audit log for the bank's staff, never in the response).
    /// </summary>
    private static async Task<ProblemHttpResult?> ScreenAsync(IServiceProvider services, Caller caller, string jti, string name, CancellationToken ct)
    {
        if (services.GetService<Banyan.Aml.Contracts.ISanctionsScreening>() is not { } screening)
        {
            return null;
        }

        Banyan.Aml.Contracts.ScreeningResult result;
        try
        {
            result = await screening.ScreenAsync(new Banyan.Aml.Contracts.ScreeningRequest(name, "CN"), ct);
        }
        catch (InvalidOperationException)
        {
            // No sanctions list loaded yet: AML refuses to answer "clear"; onboarding goes on and says so in the audit.
            await services.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("partner", "onboarding_unscreened", caller.ClientId, null, "succeeded",
                new Dictionary<string, string> { ["assertion_jti"] = jti, ["reason"] = "no sanctions list loaded" }), ct);
            return null;
        }

        if (!result.Hit)
        {
            return null;
        }

        await services.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry("partner", "onboarding_held_sanctions", caller.ClientId, null, "blocked",
            new Dictionary<string, string>
            {
                ["assertion_jti"] = jti, ["entry"] = result.EntryName ?? "", ["list"] = result.List ?? "",
                ["score"] = result.Score.ToString("F3", CultureInfo.InvariantCulture), ["list_version"] = result.ListVersion.ToString(CultureInfo.InvariantCulture),
            }), ct);
        return BanyanProblems.Unprocessable("The bank must review this application before an account can be opened; ask the customer to contact the bank.",
            [new("reason", "manual_review_required")]);
    }

    // Returns the assertion's jti and the person's name when every check passes.
    private static async Task<(string? Jti, string? Name, string Error)> CheckAssertionAsync(string assertion, Caller caller, HttpContext http, IServiceProvider services)
    {
        using var header = Jose.Header(assertion ?? "");
        var kid = header is not null && header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == System.Text.Json.JsonValueKind.String ? k.GetString() : null;
        var key = Jose.ParseKeySet(caller.Partner.Jwks, out _).FirstOrDefault(x => x.Kid == kid);
        var token = key is null ? null : await Jose.VerifyAsync(assertion!, key, AssertionType);
        if (token is null)
        {
            return (null, null, "The assertion must be a identity-assertion+jwt signed with a key registered for this partner (kid).");
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var audience = $"{http.Request.Scheme}://{http.Request.Host.Value}/";
        var expires = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        if (token.Issuer != caller.ClientId || !token.Audiences.Contains(audience, StringComparer.OrdinalIgnoreCase) || expires <= now || expires > now + MaxAssertionLifetime)
        {
            return (null, null, "iss must be the partner's client id, aud the bank's issuer URL, exp in the future and at most 10 minutes ahead.");
        }

        if (!Claim(token, "name", 200) || !Claim(token, "phone", 20) || !token.TryGetPayloadValue<string>("national_id_hash", out var hash)
            || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit) || string.IsNullOrEmpty(token.Id) || token.Id.Length > 128)
        {
            return (null, null, "The assertion needs name, phone, national_id_hash (SHA-256 hex) and jti.");
        }

        return await services.GetRequiredService<ReplayCache>().TryUseAsync("onboarding", caller.ClientId + "|" + token.Id, expires, http.RequestAborted)
            ? (token.Id, token.GetPayloadValue<string>("name"), "")
            : (null, null, "The assertion was already used (jti replay).");
    }

    private static bool Claim(JsonWebToken token, string name, int maxLength) =>
        token.TryGetPayloadValue<string>(name, out var value) && value.Length is > 0 and var length && length <= maxLength;

    private static async Task<CardRow> IssueCardAsync(IServiceProvider services, string customerId, string accountId, CancellationToken cancellationToken)
    {
        var bin = services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Banyan:OpenBanking:CardBin"] ?? Cards.DefaultBin;
        var pan = Cards.NewPan(bin);
        var row = new CardRow
        {
            Token = "card_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            CustomerId = customerId,
            AccountId = accountId,
            ProtectedPan = services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Cards.Purpose).Protect(pan),
            Last4 = pan[^4..],
            Status = "issued",
            CreatedAtUnixMs = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        // Activation is a separate state change so a card that failed half-way is never usable.
        row.Status = "active";
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }
}

/// <summary>Virtual card numbers: BIN + random digits + Luhn check digit (16 digits).</summary>
internal static class Cards
{
    public const string DefaultBin = "628888";
    public const string Purpose = "Banyan.OpenBanking.CardPan.v1";

    public static string NewPan(string bin)
    {
        if (bin.Length is < 6 or > 8 || !bin.All(char.IsAsciiDigit))
        {
            throw new InvalidOperationException("Banyan:OpenBanking:CardBin must be 6-8 digits.");
        }

        var body = bin + string.Concat(Enumerable.Range(0, 15 - bin.Length).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
        return body + CheckDigit(body);
    }

    public static char CheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var d = body[body.Length - 1 - i] - '0';
            // Double every second digit from the right, starting with the one next to the (missing) check digit.
            if (i % 2 == 0)
            {
                d *= 2;
                d = d > 9 ? d - 9 : d;
            }

            sum += d;
        }

        return (char)('0' + ((10 - (sum % 10)) % 10));
    }

    public static bool IsLuhnValid(string pan) => pan.Length >= 12 && pan.All(char.IsAsciiDigit) && CheckDigit(pan[..^1]) == pan[^1];
}
