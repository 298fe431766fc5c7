using Banyan.Platform;

namespace Banyan.Server;

/// <summary>Builds and runs the Banyan host; used by <c>Banyan.Server</c>'s entry point and by <c>banyan serve</c>.</summary>
public static class BanyanServer
{
    /// <summary>Builds the web application for <paramref name="args"/> (<c>--urls</c>, <c>--data</c>, <c>--demo</c>).</summary>
    public static WebApplication Build(string[] args, IReadOnlyList<IBanyanModule>? modules = null) => throw new NotImplementedException();

    /// <summary>Builds, seeds demo data when asked, and runs until shutdown. Returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args) => throw new NotImplementedException();
}
