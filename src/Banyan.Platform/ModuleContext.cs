using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Banyan.Platform;

/// <summary>What the host tells a module about where it runs.</summary>
/// <param name="Configuration">The host configuration (<c>appsettings.json</c> + <c>Banyan__…</c> environment).</param>
/// <param name="DataDirectory">Absolute path of the data directory (<c>--data</c>); a module keeps its files below <c>DataDirectory/&lt;module&gt;</c>.</param>
/// <param name="Storage">Which relational provider the shared model runs on.</param>
/// <param name="Environment">The host environment.</param>
public sealed record ModuleContext(
    IConfiguration Configuration,
    string DataDirectory,
    StorageProvider Storage,
    IHostEnvironment Environment)
{
    /// <summary>The module's own directory under the data directory, created on first use.</summary>
    public string ModuleDirectory(string moduleName)
    {
        var path = Path.Combine(DataDirectory, moduleName);
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>The relational store behind the shared EF Core model.</summary>
public enum StorageProvider
{
    /// <summary>Embedded default: one SQLite file in the data directory.</summary>
    Sqlite,

    /// <summary>Server deployments: <c>ConnectionStrings__Banyan</c> is set.</summary>
    PostgreSql,
}
