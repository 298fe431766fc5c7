using Banyan.Platform;
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

        // The factory gives the idempotency store and start-up work their own short-lived contexts;
        // it also registers BanyanDbContext as scoped for request handlers.
        services.AddDbContextFactory<BanyanDbContext>(options =>
        {
            if (provider == StorageProvider.PostgreSql)
            {
                options.UseNpgsql(connectionString);
            }
            else
            {
                options.UseSqlite(connectionString);
            }

            options.ReplaceService<IModelCacheKeyFactory, ModuleAwareModelCacheKeyFactory>();
        });
        services.AddScoped<DbContext>(sp => sp.GetRequiredService<BanyanDbContext>());
    }

    public static string SqliteConnectionString(string dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(dataDirectory, "banyan.db"),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
