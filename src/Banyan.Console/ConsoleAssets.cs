using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.StaffConsole;

/// <summary>
/// Static web assets (MudBlazor's CSS/JS, blazor.web.js) from the host's build manifest
/// (<c>Banyan.Server.staticwebassets.endpoints.json</c>, produced because the host sets
/// <c>RequiresAspNetWebAssets</c>). The manifest sits next to the host's assembly; a process that
/// hosts Banyan from elsewhere (tests) finds it there too.
/// </summary>
internal static class ConsoleAssets
{
    /// <summary>
    /// Outside a published output (a build, tests), asset files stay where the build found them (NuGet
    /// cache, framework pack) and the runtime manifest points at them; ASP.NET Core reads it only in
    /// Development unless asked, and the host runs in Production by default.
    /// </summary>
    public static void EnableBuildOutputAssets(Banyan.Platform.ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runtimeManifest = Path.Combine(AppContext.BaseDirectory, context.Environment.ApplicationName + ".staticwebassets.runtime.json");
        if (context.Environment is IWebHostEnvironment web && File.Exists(runtimeManifest) && !context.Environment.IsDevelopment())
        {
            StaticWebAssetsLoader.UseStaticWebAssets(web, context.Configuration);
        }
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var environment = app.ServiceProvider.GetRequiredService<IWebHostEnvironment>();
        var name = environment.ApplicationName + ".staticwebassets.endpoints.json";
        var manifest = new[] { AppContext.BaseDirectory, environment.ContentRootPath }
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
        if (manifest is null)
        {
            throw new InvalidOperationException($"The console's static assets manifest {name} is missing next to the host; build Banyan.Server (it lists MudBlazor and blazor.web.js).");
        }

        app.MapStaticAssets(manifest);
    }
}
