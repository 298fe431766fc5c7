using Banyan.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using OpenIddict.EntityFrameworkCore.Models;

namespace Banyan.Server.Storage;

/// <summary>
/// The one relational model of the process: platform tables (<c>platform_*</c>) plus whatever each
/// module adds in <see cref="IBanyanModule.ConfigureModel"/> (tables prefixed <c>&lt;module&gt;_</c>).
/// </summary>
/// <remarks>
/// Pooled (decision 0005): EF Core hands out a reset instance instead of building a context and its internal
/// services for every request, so the constructor takes only the options; the host's modules come from the
/// application's service provider, which EF Core keeps in the options.
/// </remarks>
internal sealed class BanyanDbContext(DbContextOptions<BanyanDbContext> options) : DbContext(options)
{
    private ModuleCatalog? _catalog;

    internal ModuleCatalog Catalog => _catalog ??= options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService(typeof(ModuleCatalog)) as ModuleCatalog
        ?? throw new InvalidOperationException("BanyanDbContext needs the host's ModuleCatalog in the application services.");

    internal DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    internal DbSet<SchemaHistoryEntry> SchemaHistory => Set<SchemaHistoryEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreApplication>().ToTable("platform_oauth_applications");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreAuthorization>().ToTable("platform_oauth_authorizations");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreScope>().ToTable("platform_oauth_scopes");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreToken>().ToTable("platform_oauth_tokens");
        IdempotencyRecord.Configure(modelBuilder);
        SchemaHistoryEntry.Configure(modelBuilder);
        Security.AuditRecord.Configure(modelBuilder);
        foreach (var module in Catalog.Modules)
        {
            module.ConfigureModel(modelBuilder);
        }

        CheckTablePrefixes(modelBuilder);
    }

    // Invariant from the module contract: a table belongs to the platform or to exactly one module,
    // visible from its name. A module breaking it fails at start-up, not in production data.
    private void CheckTablePrefixes(ModelBuilder modelBuilder)
    {
        var prefixes = Catalog.Modules.Select(m => m.Name + "_").Append("platform_").ToArray();
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName();
            if (entity.GetSchema() is { } schema)
            {
                throw new InvalidOperationException(
                    $"Entity {entity.DisplayName()} is mapped to schema '{schema}'; modules share the default schema and use table prefixes instead.");
            }

            if (table is not null && !prefixes.Any(p => table.StartsWith(p, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(
                    $"Table '{table}' (entity {entity.DisplayName()}) must be prefixed with its module name, e.g. '{prefixes[0]}...'.");
            }
        }
    }
}

/// <summary>EF caches one model per key: include the module set so hosts with different modules (tests) do not share a model.</summary>
internal sealed class ModuleAwareModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        context is BanyanDbContext banyan
            ? (context.GetType(), banyan.Catalog.ModelKey, designTime)
            : (context.GetType(), designTime);
}

/// <summary>One row per start-up that changed the schema: what was created and by which host version.</summary>
internal sealed class SchemaHistoryEntry
{
    public long Id { get; set; }

    public long AppliedAtUnixMs { get; set; }

    public int SchemaVersion { get; set; }

    public string HostVersion { get; set; } = "";

    public string CreatedTables { get; set; } = "";

    /// <summary>"table.column" of the columns added to existing tables (decision 0007); null when none (and on rows from before version 2).</summary>
    public string? AddedColumns { get; set; }

    /// <summary>Indexes created on existing tables (decision 0007); null when none.</summary>
    public string? AddedIndexes { get; set; }

    internal static void Configure(ModelBuilder model)
    {
        var e = model.Entity<SchemaHistoryEntry>();
        e.ToTable("platform_schema_history");
        e.HasKey(x => x.Id);
        e.Property(x => x.HostVersion).HasMaxLength(64);
        e.Property(x => x.CreatedTables).HasMaxLength(8000);
        e.Property(x => x.AddedColumns).HasMaxLength(8000);
        e.Property(x => x.AddedIndexes).HasMaxLength(8000);
    }
}
