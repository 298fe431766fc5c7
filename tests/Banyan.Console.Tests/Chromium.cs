namespace Banyan.Console.Tests;

/// <summary>
/// Debian's chromium for Playwright (never <c>playwright install</c>): <c>BANYAN_TEST_CHROMIUM</c> or
/// <c>/usr/bin/chromium</c>. Missing: skipped locally, a failure under CI=true (.ci/run installs it).
/// </summary>
internal static class Chromium
{
    public const string Variable = "BANYAN_TEST_CHROMIUM";

    public static string Path()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var path = string.IsNullOrWhiteSpace(configured) ? "/usr/bin/chromium" : configured;
        if (File.Exists(path)) return path;
        var reason = $"chromium not found at {path} (set {Variable}; .ci/run installs Debian's chromium)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("CI=true requires " + reason);
        Skip.If(true, "Skipped: " + reason);
        throw new InvalidOperationException("unreachable");
    }
}
