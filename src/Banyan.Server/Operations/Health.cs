using System.Text.Json;
using Banyan.Platform.Http;
using Banyan.Server.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Banyan.Server.Operations;

/// <summary><c>/health</c>: the process answers. <c>/health/ready</c>: storage and every module check pass.</summary>
internal static class Health
{
    public static IHealthChecksBuilder AddBanyanHealth(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddDbContextCheck<BanyanDbContext>(
                "storage",
                customTestQuery: (db, cancellationToken) => db.SchemaHistory.AnyAsync(cancellationToken));

    public static void MapBanyanHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteAsync });
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new CheckResult(StatusName(e.Value.Status), e.Value.Description, (long)e.Value.Duration.TotalMilliseconds));
        if (report.Status == HealthStatus.Unhealthy)
        {
            // Not ready is an error like any other: a problem document, with the failing checks attached.
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = BanyanProblems.Create(
                    ProblemTypes.Unavailable,
                    "Checks failed: " + string.Join(", ", checks.Where(c => c.Value.Status == "unhealthy").Select(c => c.Key)),
                    [new("checks", checks)]),
            });
            return;
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new HealthBody(StatusName(report.Status), checks), BanyanJson.Options, context.RequestAborted);
    }

    private static string StatusName(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private sealed record CheckResult(string Status, string? Description, long DurationMs);

    private sealed record HealthBody(string Status, IReadOnlyDictionary<string, CheckResult> Checks);
}
