using System.Globalization;
using System.Text;
using System.Text.Json;
using Banyan.Aml.Cases;
using Banyan.Aml.Contracts;
using Banyan.Aml.Screening;
using Banyan.Ledger;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Live;

internal sealed record MonitoredAccountView(string AccountId, string? CustomerId, string Kind, string? Country, string Channel, string? Name,
    long? DeclaredMonthlyIncomeMinor, DateTimeOffset? OpenedAt, DateTimeOffset RegisteredAt)
{
    public static MonitoredAccountView Of(MonitoredAccountRow r) => new(r.AccountId, r.CustomerId, r.Kind, r.Country, r.Channel, r.Name, r.DeclaredMonthlyIncomeMinor,
        r.OpenedAtUnixMs is { } o ? DateTimeOffset.FromUnixTimeMilliseconds(o) : null, DateTimeOffset.FromUnixTimeMilliseconds(r.RegisteredAtUnixMs));
}

internal sealed record SanctionsListView(long Version, int Entries, string Sha256, DateTimeOffset UploadedAt);

internal sealed record MonitorStatus(ulong ProcessedSequence, ulong DurableSequence, string RuleSet, long? SanctionsListVersion);

/// <summary>The registry (<c>/v1/aml/accounts</c>), sanctions upload and screening, and the monitor's status.</summary>
internal static class LiveEndpoints
{
    private static readonly string[] Kinds = ["individual", "business", "external"];
    private static readonly string[] Channels = ["cash", "transfer", "card", "wire"];

    public static void Map(RouteGroupBuilder aml)
    {
        aml.MapPost("/accounts", (Func<HttpContext, Task<IResult>>)RegisterAsync).WithName("RegisterAmlAccount")
            .WithSummary("Register a ledger account for monitoring: {account_id, customer_id?, kind: individual|business|external, country?, channel?, name?, declared_monthly_income_minor?, opened_at?}.")
            .Produces<MonitoredAccountView>().Produces<MonitoredAccountView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        aml.MapGet("/accounts/{id}", GetAccountAsync).WithName("GetAmlAccount").WithSummary("A registered account.")
            .Produces<MonitoredAccountView>().ProducesProblem(StatusCodes.Status404NotFound);
        aml.MapGet("/monitor", Status).WithName("GetAmlMonitorStatus")
            .WithSummary("Real-time monitor: the last journal record processed, the durable head, the rule set and sanctions list in force.")
            .Produces<MonitorStatus>();
        aml.MapPost("/sanctions", (Func<HttpContext, Task<IResult>>)UploadAsync).WithRequestBodyLimit(LiveModel.MaxCsvChars).WithName("UploadAmlSanctionsList")
            .WithSummary("Upload list.csv (name,aliases,country,list); validated whole, stored as a new version and swapped in without restart.")
            .Produces<SanctionsListView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        aml.MapGet("/sanctions", CurrentList).WithName("GetAmlSanctionsList").WithSummary("The sanctions list version in force.")
            .Produces<SanctionsListView>().ProducesProblem(StatusCodes.Status404NotFound);
        aml.MapPost("/screen", (Func<HttpContext, Task<IResult>>)ScreenAsync).WithName("ScreenAmlName")
            .WithSummary("Screen a name {name, country?, date_of_birth?} against the newest sanctions list (onboarding, pre-release checks).")
            .Produces<ScreeningResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> RegisterAsync(HttpContext http)
    {
        var (body, error) = await CaseBody.ReadAsync(http);
        if (error is not null) return error;
        var errors = new List<(string, string)>();
        var request = new CaseRequest(http);
        var row = Parse(body, errors, request.NowUnixMs);
        if (errors.Count > 0) return CaseBody.Invalid(errors);
        var db = request.Db;
        var existing = await db.Set<MonitoredAccountRow>().AsNoTracking().FirstOrDefaultAsync(r => r.AccountId == row!.AccountId, http.RequestAborted);
        if (existing is not null)
            return Same(existing, row!) ? TypedResults.Ok(MonitoredAccountView.Of(existing))
                : BanyanProblems.Conflict($"account {row!.AccountId} is already registered with other details; registrations are immutable");
        if (row!.CustomerId is not null && await db.Set<MonitoredAccountRow>().AsNoTracking().FirstOrDefaultAsync(r => r.CustomerId == row.CustomerId, http.RequestAborted) is { } sibling
            && sibling.Kind != row.Kind)
            return BanyanProblems.Conflict($"customer {row.CustomerId} is {sibling.Kind}; all of a customer's accounts have the same kind");
        row.OpenedAtUnixMs ??= await LedgerOpenedAtAsync(http, row.AccountId);
        db.Add(row);
        await db.SaveChangesAsync(http.RequestAborted);
        http.RequestServices.GetService<LiveMonitor>()?.Enqueue(row);
        return TypedResults.Created($"/v1/aml/accounts/{row.AccountId}", MonitoredAccountView.Of(row));
    }

    private static MonitoredAccountRow? Parse(JsonElement body, List<(string, string)> errors, long now)
    {
        var account = CaseBody.Text(body, "account_id", 39, errors);
        UInt128 id = 0;
        if (account is not null && !UInt128.TryParse(account, NumberStyles.None, CultureInfo.InvariantCulture, out id)) errors.Add(("account_id", "must be a ledger account id (decimal string)"));
        var kind = CaseBody.Text(body, "kind", 16, errors);
        if (kind is not null && !Kinds.Contains(kind)) errors.Add(("kind", "must be individual, business or external"));
        var customer = CaseBody.Text(body, "customer_id", CaseLimits.Id, errors, required: kind is "individual" or "business");
        if (kind == "external" && customer is not null) errors.Add(("customer_id", "an external account has no customer"));
        var country = CaseBody.Text(body, "country", 2, errors, required: false)?.ToUpperInvariant();
        if (country is not null && Country.Pack(country) == Country.None) errors.Add(("country", "must be an ISO 3166 alpha-2 code"));
        var channel = CaseBody.Text(body, "channel", 16, errors, required: false) ?? "transfer";
        if (!Channels.Contains(channel)) errors.Add(("channel", "must be cash, transfer, card or wire"));
        var name = CaseBody.Text(body, "name", CaseLimits.Name, errors, required: false);
        long? income = null;
        if (body.TryGetProperty("declared_monthly_income_minor", out var inc) && inc.ValueKind != JsonValueKind.Null)
        {
            if (inc.ValueKind == JsonValueKind.Number && inc.TryGetInt64(out var v) && v is >= 0 and <= Limits.MaxAmount) income = v;
            else errors.Add(("declared_monthly_income_minor", $"must be an integer from 0 to {Limits.MaxAmount}"));
        }
        long? opened = null;
        if (CaseBody.Text(body, "opened_at", 40, errors, required: false) is { } text)
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.UtcTicks >= Limits.MinTicks && at.UtcTicks < Limits.MaxTicks)
                opened = at.ToUnixTimeMilliseconds();
            else errors.Add(("opened_at", "must be an ISO 8601 time between 1900 and 2200"));
        }
        if (errors.Count > 0) return null;
        return new MonitoredAccountRow
        {
            AccountId = id.ToString(CultureInfo.InvariantCulture), CustomerId = customer, Kind = kind!, Country = country, Channel = channel, Name = name,
            DeclaredMonthlyIncomeMinor = income, OpenedAtUnixMs = opened, RegisteredAtUnixMs = now,
        };
    }

    private static bool Same(MonitoredAccountRow a, MonitoredAccountRow b) =>
        a.CustomerId == b.CustomerId && a.Kind == b.Kind && a.Country == b.Country && a.Channel == b.Channel && a.Name == b.Name
        && a.DeclaredMonthlyIncomeMinor == b.DeclaredMonthlyIncomeMinor && (b.OpenedAtUnixMs is null || a.OpenedAtUnixMs == b.OpenedAtUnixMs);

    /// <summary>The ledger account's creation time, when the ledger already has it: new-account typologies need an opening date.</summary>
    private static async Task<long?> LedgerOpenedAtAsync(HttpContext http, string accountId)
    {
        if (http.RequestServices.GetService<LedgerEngine>() is not { } ledger) return null;
        var found = await ledger.LookupAccountsAsync(new[] { UInt128.Parse(accountId, CultureInfo.InvariantCulture) }, http.RequestAborted);
        return found.Length == 1 ? checked((long)(found[0].Timestamp / 1_000_000)) : null;
    }

    private static async Task<IResult> GetAccountAsync(HttpContext http, string id)
    {
        var db = http.RequestServices.GetRequiredService<DbContext>();
        var row = await db.Set<MonitoredAccountRow>().AsNoTracking().FirstOrDefaultAsync(r => r.AccountId == id, http.RequestAborted);
        return row is null ? BanyanProblems.NotFound($"account {id} is not registered for AML monitoring") : TypedResults.Ok(MonitoredAccountView.Of(row));
    }

    private static IResult Status(HttpContext http)
    {
        var monitor = http.RequestServices.GetService<LiveMonitor>();
        var ledger = http.RequestServices.GetService<LedgerEngine>();
        var lists = http.RequestServices.GetRequiredService<SanctionsLists>();
        return TypedResults.Ok(new MonitorStatus(monitor?.ProcessedSequence ?? 0, ledger?.JournalHead.Sequence ?? 0,
            monitor?.ActiveRuleSet?.Label ?? "not running", lists.Current?.Version));
    }

    private static async Task<IResult> UploadAsync(HttpContext http)
    {
        string text;
        using (var reader = new StreamReader(http.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            try { text = await reader.ReadToEndAsync(http.RequestAborted); }
            catch (DecoderFallbackException) { return BanyanProblems.BadRequest("the body is not UTF-8"); }
        }
        var request = new CaseRequest(http);
        var lists = http.RequestServices.GetRequiredService<SanctionsLists>();
        var (version, errors) = await lists.UploadAsync(request.Db, text, request.Actor, request.NowUnixMs, http.RequestAborted);
        if (version is null) return BanyanProblems.Validation("the sanctions list was not loaded: fix the listed lines", errors);
        return TypedResults.Created("/v1/aml/sanctions", ViewOf(version));
    }

    private static IResult CurrentList(HttpContext http) =>
        http.RequestServices.GetRequiredService<SanctionsLists>().Current is { } current
            ? TypedResults.Ok(ViewOf(current))
            : BanyanProblems.NotFound("no sanctions list has been uploaded");

    private static SanctionsListView ViewOf(SanctionsListVersion v) => new(v.Version, v.Entries, v.Sha256, DateTimeOffset.FromUnixTimeMilliseconds(v.UploadedAtUnixMs));

    private static async Task<IResult> ScreenAsync(HttpContext http)
    {
        var (body, error) = await CaseBody.ReadAsync(http);
        if (error is not null) return error;
        var errors = new List<(string, string)>();
        var name = CaseBody.Text(body, "name", SanctionsLists.MaxNameChars, errors);
        var country = CaseBody.Text(body, "country", 2, errors, required: false);
        if (country is not null && Country.Pack(country) == Country.None) errors.Add(("country", "must be an ISO 3166 alpha-2 code"));
        DateOnly? born = null;
        if (CaseBody.Text(body, "date_of_birth", 10, errors, required: false) is { } dob)
        {
            if (DateOnly.TryParseExact(dob, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) born = d;
            else errors.Add(("date_of_birth", "must be a date yyyy-MM-dd"));
        }
        if (errors.Count > 0) return CaseBody.Invalid(errors);
        var screening = http.RequestServices.GetRequiredService<ISanctionsScreening>();
        try
        {
            return TypedResults.Ok(await screening.ScreenAsync(new ScreeningRequest(name!, country, born), http.RequestAborted));
        }
        catch (InvalidOperationException e)
        {
            return BanyanProblems.Problem(ProblemTypes.Unavailable, e.Message);
        }
    }
}
