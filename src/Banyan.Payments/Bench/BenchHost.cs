using Banyan.Ledger;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Banyan.Payments.Bench;

/// <summary>The shared model with only the payments tables, on SQLite (WAL), for the benchmark host.</summary>
internal sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => new PaymentsModule().ConfigureModel(modelBuilder);
}

/// <summary>
/// An in-process host for <c>banyan bench payments</c>: a durable ledger (fsync on), SQLite, the payments
/// module's services and endpoints on Kestrel at 127.0.0.1, and an authorization policy that admits the
/// benchmark's client (token checks are the platform's cost, measured by its own benchmarks).
/// </summary>
internal static class BenchHost
{
    public static async Task<(WebApplication App, HttpClient Api)> StartAsync(string directory, CancellationToken ct)
    {
        // Content root = the CLI's own folder, not the working directory: the host watches its content root for
        // configuration changes, and a busy working directory (or the bench's own database) kept a thread busy.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.ConfigureHttpJsonOptions(o => BanyanJson.Apply(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthorization(o => o.AddPolicy(ScopePolicy.For("payments"), p => p.RequireAssertion(_ => true)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => LedgerEngine.Open(new LedgerOptions { Directory = Path.Combine(directory, "ledger"), AccountCapacity = 1 << 16, TransferCapacity = 1 << 20 }));
        var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "bench.db"), Pooling = true, DefaultTimeout = 30 }.ToString();
        // Pooled, and with the WAL checkpoints in the background, like the server's (decisions 0005 and 0006).
        builder.Services.AddDbContextPool<BenchDbContext>(o => o.UseSqlite(connection).AddInterceptors(Platform.Storage.SqliteWal.Interceptor));
        builder.Services.AddHostedService<Platform.Storage.SqliteCheckpointService>();
        builder.Services.AddScoped<DbContext>(sp => sp.GetRequiredService<BenchDbContext>());
        var module = new PaymentsModule();
        module.ConfigureServices(builder.Services, new ModuleContext(builder.Configuration, directory, StorageProvider.Sqlite, builder.Environment));
        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            await db.Database.EnsureCreatedAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }

        app.UseAuthorization();
        module.MapEndpoints(app.MapGroup("/v1"));
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1_024 }) { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        return (app, api);
    }
}
