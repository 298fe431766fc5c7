using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Server.Http;
using Banyan.Server.Identity;
using Banyan.Server.OpenApi;
using Banyan.Server.Operations;
using Banyan.Server.Security;
using Banyan.Server.Startup;
using Banyan.Server.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Scalar.AspNetCore;

namespace Banyan.Server;

/// <summary>Builds and runs the Banyan host; used by <c>Banyan.Server</c>'s entry point and by <c>banyan serve</c>.</summary>
public static class BanyanServer
{
    /// <summary>Builds the web application for <paramref name="args"/> (<c>--urls</c>, <c>--data</c>, <c>--demo</c>, <c>--Key=Value</c>).</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="modules">The modules to compose; <see cref="Modules.All"/> when <see langword="null"/>.</param>
    /// <exception cref="BanyanUsageException">The arguments are invalid.</exception>
    public static WebApplication Build(string[] args, IReadOnlyList<IBanyanModule>? modules = null) =>
        Build(BanyanHostOptions.Parse(args), modules);

    /// <summary>Builds the web application from parsed options. Start it with <c>StartAsync</c>/<c>RunAsync</c>; schema, bootstrap client and demo data are handled during start.</summary>
    public static WebApplication Build(BanyanHostOptions options, IReadOnlyList<IBanyanModule>? modules = null) =>
        Build(options, modules, configure: null);

    /// <summary>Test seam: <paramref name="configure"/> runs just before the host is built (e.g. to capture logs).</summary>
    internal static WebApplication Build(BanyanHostOptions options, IReadOnlyList<IBanyanModule>? modules, Action<WebApplicationBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        var catalog = new ModuleCatalog(modules ?? Modules.All());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. options.ConfigurationArgs],
            ApplicationName = typeof(BanyanServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settings = Resolve(options, builder.Configuration);
        builder.WebHost.UseUrls(settings.Urls);
        ConfigureLogging(builder);
        ConfigureServices(builder, settings, catalog);
        configure?.Invoke(builder);
        var app = builder.Build();
        ConfigurePipeline(app, catalog);
        return app;
    }

    /// <summary>Builds, starts (schema, bootstrap client, demo data when asked) and runs until shutdown. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (BanyanUsageException usage)
        {
            await Console.Error.WriteLineAsync("banyan: " + usage.Message);
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            // Build touches the data directory and the key files; say which problem, not a stack trace.
            await Console.Error.WriteLineAsync("banyan: cannot start: " + ex.Message);
            return 1;
        }

        await using (app)
        {
            try
            {
                await app.RunAsync();
                return 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                app.Logger.LogCritical(ex, "Banyan stopped because of an error");
                return 1;
            }
        }
    }

    private static HostSettings Resolve(BanyanHostOptions options, IConfiguration configuration)
    {
        var dataDirectory = options.ResolveDataDirectory(configuration);
        var wasEmpty = !Directory.Exists(dataDirectory) || !Directory.EnumerateFileSystemEntries(dataDirectory).Any();
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            // Owner-only: the directory holds keys, client secrets and the database.
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var urls = options.Urls ?? configuration["urls"] ?? BanyanHostOptions.DefaultUrls;
        return new HostSettings(urls, dataDirectory, wasEmpty, options.Demo, StorageRegistration.ProviderFor(configuration));
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        // OpenIddict's Debug/Trace output includes whole token responses; no configuration may turn it on.
        builder.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            for (var i = 0; i < options.Rules.Count; i++)
            {
                var rule = options.Rules[i];
                if (rule.CategoryName?.StartsWith("OpenIddict", StringComparison.Ordinal) == true && (rule.LogLevel is null || rule.LogLevel < LogLevel.Information))
                {
                    options.Rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, LogLevel.Information, rule.Filter);
                }
            }

            // Provider-specific rules (Logging:Console:LogLevel:...) beat provider-less ones, so cap per provider too —
            // at the configured OpenIddict level when that is quieter than Information, never louder.
            var configured = options.Rules.FirstOrDefault(r => r.ProviderName is null && r.CategoryName == "OpenIddict")?.LogLevel;
            var floor = configured is { } level && level > LogLevel.Information ? level : LogLevel.Information;
            foreach (var provider in options.Rules.Select(r => r.ProviderName).Distinct().ToList())
            {
                var hasOwnRule = options.Rules.Any(r => r.ProviderName == provider && r.CategoryName?.StartsWith("OpenIddict", StringComparison.Ordinal) == true);
                if (!hasOwnRule)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, "OpenIddict", floor, null));
                }
            }
        });

        if (string.Equals(builder.Configuration["Banyan:Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    private static void ConfigureServices(WebApplicationBuilder builder, HostSettings settings, ModuleCatalog catalog)
    {
        var services = builder.Services;
        services.AddSingleton(catalog);
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddDataProtection()
            .SetApplicationName("banyan")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataDirectory, "keys", "data-protection")));
        services.Configure<ApiOptions>(builder.Configuration.GetSection(ApiOptions.Section));
        services.AddBanyanStorage(builder.Configuration, settings.DataDirectory);
        services.AddBanyanProblems();
        services.AddBanyanIdentity(builder.Configuration, settings.DataDirectory, catalog, IssuerFor(builder.Configuration, settings.Urls));
        services.AddBanyanRateLimits(builder.Configuration);
        services.AddBanyanOpenApi(catalog);
        services.AddBanyanTelemetry(builder.Configuration);
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<Banyan.Platform.Security.IAuditLog, AuditLog>();
        services.AddHostedService<IdempotencyCleanup>();
        services.AddHostedService<StartupService>();
        var health = services.AddBanyanHealth();
        var context = new ModuleContext(builder.Configuration, settings.DataDirectory, settings.Storage, builder.Environment);
        foreach (var module in catalog.Modules)
        {
            module.ConfigureServices(services, context);
            module.ConfigureHealthChecks(health);
        }
    }

    // The key ASP.NET Core's UseAuthentication() sets; WebApplication checks it before adding its own.
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    private static void ConfigurePipeline(WebApplication app, ModuleCatalog catalog)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Client mistakes are not server errors: keep them out of the error log.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        // Our copy of UseAuthentication (asks the OpenIddict server only about its own endpoints). The property tells
        // WebApplication not to add the stock one at the start of the pipeline (it does when none was added).
        app.UseMiddleware<GatedAuthenticationMiddleware>();
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();
        foreach (var module in catalog.Modules)
        {
            module.ConfigurePipeline(app);
        }

        app.UseMiddleware<IdempotencyMiddleware>();

        // A token request is a few form fields: its own small limit, whatever the API default is.
        app.MapPost(IdentityRegistration.TokenPath, IdentityRegistration.IssueTokenAsync)
            .AllowAnonymous().ExcludeFromDescription().RequireRateLimiting(RateLimiting.TokenPolicy)
            .WithRequestBodyLimit(IdentityRegistration.MaxTokenRequestBytes);
        app.MapBanyanHealth();
        app.MapPrometheusScrapingEndpoint(Telemetry.MetricsPath);
        app.MapOpenApi("/openapi/{documentName}.json");
        // Everything the page needs comes from this host: bundled script, no CDN fonts, no telemetry or agent calls.
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Banyan API")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .WithDynamicBaseServerUrl()
            .AddPreferredSecuritySchemes(OpenApiRegistration.SchemeName));

        var v1 = app.MapGroup("/v1").RequireAuthorization();
        Security.AuditEndpoints.Map(v1);
        foreach (var module in catalog.Modules)
        {
            module.MapEndpoints(v1);
            module.MapRootEndpoints(app);
        }
    }

    // A fixed issuer keeps tokens valid whichever host name the client used (localhost vs 127.0.0.1).
    private static string? IssuerFor(IConfiguration configuration, string urls)
    {
        var configured = configuration["Banyan:Auth:Issuer"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) && uri.Port != 0 && uri.Host is not ("*" or "+" or "0.0.0.0" or "[::]")
            ? uri.GetLeftPart(UriPartial.Authority) + "/"
            : null;
    }
}
