using Banyan.Platform;
using Banyan.Platform.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Banyan.Server.Storage;

/// <summary>Chooses the provider (SQLite file by default, PostgreSQL when <c>ConnectionStrings:Banyan</c> is set) and registers the shared context.</summary>
internal static class StorageRegistration
{
    public const string ConnectionStringName = "Banyan";

    public static StorageProvider ProviderFor(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName)) ? StorageProvider.Sqlite : StorageProvider.PostgreSql;

    public static void AddBanyanStorage(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var provider = ProviderFor(configuration);
        var connectionString = provider == StorageProvider.PostgreSql
            ? configuration.GetConnectionString(ConnectionStringName)!
            : SqliteConnectionString(dataDirectory);

        // A pooled factory (decision 0005): the idempotency store and start-up work take their own short-lived
        // contexts from it, and request handlers get a scoped one, returned to the pool when the scope ends.
        services.AddPooledDbContextFactory<BanyanDbContext>((_, options) =>
        {
            if (provider == StorageProvider.PostgreSql)
            {
                options.UseNpgsql(connectionString);
            }
            else
            {
                // Checkpoints off the request path (decision 0006): no commit copies the log into the file inline.
                options.UseSqlite(connectionString).AddInterceptors(SqliteWal.Interceptor);
            }

            options.ReplaceService<IModelCacheKeyFactory, ModuleAwareModelCacheKeyFactory>();
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContext());
        services.AddScoped<DbContext>(sp => sp.GetRequiredService<BanyanDbContext>());
        if (provider == StorageProvider.Sqlite)
        {
            services.AddHostedService<SqliteCheckpointService>();
        }
    }

    public static string SqliteConnectionString(string dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(dataDirectory, "banyan.db"),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
