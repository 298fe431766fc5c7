using System.Diagnostics.Metrics;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Server.Tests.Support;

/// <summary>A test-only module: just enough endpoints to exercise auth, idempotency, limits and errors without the ledger.</summary>
internal sealed class TestModule : BanyanModule
{
    public const string Scope = "test";
    public const int BigLimitBytes = 4 * 1024 * 1024;
    private static readonly Meter Meter = new("Banyan.Test");
    private static readonly Counter<long> Echoes = Meter.CreateCounter<long>("banyan.test.echoes");
    private int _created;

    public override string Name => "test";

    public override IReadOnlyList<string> Scopes => [Scope];

    /// <summary>Lets a test hold a request inside the handler (for in-flight idempotency).</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Created => Volatile.Read(ref _created);

    public override void ConfigureModel(ModelBuilder model)
    {
        var note = model.Entity<TestNote>();
        note.ToTable("test_notes");
        note.HasKey(n => n.Id);
        note.Property(n => n.Text).HasMaxLength(200);
    }

    public override void MapEndpoints(IEndpointRouteBuilder v1)
    {
        var test = v1.MapGroup("/test").RequireAuthorization(ScopePolicy.For(Scope));
        test.MapGet("/ping", () => TypedResults.Ok(new Pong("pong"))).WithSummary("Ping");
        test.MapPost("/echo", async (EchoRequest request, DbContext db) =>
        {
            if (request.Text.Length == 0)
            {
                return (IResult)BanyanProblems.Validation("text must not be empty", new Dictionary<string, string[]> { ["text"] = ["must not be empty"] });
            }

            var id = Interlocked.Increment(ref _created);
            db.Set<TestNote>().Add(new TestNote { Id = id, Text = request.Text });
            await db.SaveChangesAsync();
            Echoes.Add(1);
            return TypedResults.Created($"/v1/test/notes/{id}", new EchoResponse(id, request.Text, request.AmountMinor));
        }).WithSummary("Echo");
        test.MapPost("/slow", async () =>
        {
            Entered.TrySetResult();
            await Release.Task;
            return TypedResults.Ok(new Pong("slow"));
        }).WithSummary("Slow");
        test.MapPost("/big", (BigRequest request) => TypedResults.Ok(new Pong(request.Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .WithRequestBodyLimit(BigLimitBytes).WithSummary("Big");
        test.MapGet("/boom", string () => throw new InvalidOperationException("secret internal detail")).WithSummary("Boom");
        v1.MapGet("/test-admin", () => TypedResults.Ok(new Pong("admin"))).RequireAuthorization(ScopePolicy.For(ScopePolicy.Admin)).WithSummary("Admin only");
    }

    public override void ConfigureHealthChecks(IHealthChecksBuilder health) =>
        health.AddCheck("test-module", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("test module ready"));

    public override async Task SeedDemoAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.Set<TestNote>().Add(new TestNote { Id = 1000, Text = "demo" });
        await db.SaveChangesAsync(cancellationToken);
    }
}

internal sealed class TestNote
{
    public int Id { get; set; }

    public string Text { get; set; } = "";
}

internal sealed record Pong(string Message);

internal sealed record EchoRequest(string Text, long AmountMinor);

internal sealed record EchoResponse(int Id, string Text, long AmountMinor);

internal sealed record BigRequest(string Data);

/// <summary>Breaks the table-prefix rule on purpose.</summary>
internal sealed class BadPrefixModule : BanyanModule
{
    public override string Name => "bad";

    public override void ConfigureModel(ModelBuilder model) => model.Entity<TestNote>().ToTable("notes").HasKey(n => n.Id);
}
