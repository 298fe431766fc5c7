using System.Security.Claims;
using System.Text.Json;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Cases;

/// <summary>What every case handler needs: the shared DbContext, the acting client and the host clock.</summary>
internal sealed class CaseRequest(HttpContext http)
{
    public DbContext Db { get; } = http.RequestServices.GetRequiredService<DbContext>();

    /// <summary>The OAuth client id of the token (OpenIddict puts it in <c>client_id</c>, the host also in <c>sub</c>).</summary>
    public string Actor { get; } = ActorOf(http.User);

    public long NowUnixMs { get; } = (http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();

    public HttpContext Http => http;

    public static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "unknown";

    public void Audit(long caseId, string action, string detail) =>
        Db.Set<CaseEventRow>().Add(new CaseEventRow { CaseId = caseId, Actor = Actor, AtUnixMs = NowUnixMs, Action = action, Detail = Truncate(detail, CaseLimits.Text) });

    public static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>Reads small JSON command bodies by hand so every malformed body is the same 400 problem and nothing is touched.</summary>
internal static class CaseBody
{
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task<(JsonElement Body, IResult? Error)> ReadAsync(HttpContext http)
    {
        if (http.Request.ContentLength is > MaxBodyBytes) return (default, BanyanProblems.Problem(ProblemTypes.PayloadTooLarge, $"at most {MaxBodyBytes} bytes"));
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (default, BanyanProblems.BadRequest("the body must be a JSON object"));
            return (doc.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (default, BanyanProblems.BadRequest("the body is not valid JSON"));
        }
    }

    /// <summary>A required string member of 1..max characters (after trimming), or a validation problem naming the field.</summary>
    public static string? Text(JsonElement body, string name, int max, List<(string Field, string Why)> errors, bool required = true)
    {
        if (!body.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add((name, "is required"));
            return null;
        }
        if (p.ValueKind != JsonValueKind.String) { errors.Add((name, "must be a string")); return null; }
        var value = p.GetString()!.Trim();
        if (value.Length == 0 || value.Length > max) { errors.Add((name, $"must be 1..{max} characters")); return null; }
        return value;
    }

    public static IResult Invalid(List<(string Field, string Why)> errors) =>
        BanyanProblems.Validation("one or more fields are invalid", errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Why).ToArray()));
}

/// <summary>Serialises imports: "one open case per party" is checked and created inside one import at a time.</summary>
internal sealed class CaseImportLock
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
}
