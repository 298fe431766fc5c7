using System.Diagnostics;
using Banyan.Server.Tests.Support;
using Banyan.Testing;

namespace Banyan.Server.Tests;

/// <summary>
/// The product's OpenAPI document (every real module) must pass an independent linter. CI installs
/// Redocly CLI and points <c>BANYAN_OPENAPI_LINTER</c> at it; locally the test skips without it.
/// </summary>
public sealed class OpenApiLintTests
{
    [SkippableFact]
    public async Task Product_openapi_document_passes_an_independent_linter_with_no_errors()
    {
        var linter = ExternalComponents.OpenApiLinter();
        await using var host = await TestHost.StartAsync(extraModules: Modules.All());
        var json = await host.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var file = Path.Combine(host.DataDirectory, "openapi.json");
        await File.WriteAllTextAsync(file, json);

        var (exitCode, output) = await RunAsync(linter, $"lint \"{file}\" --format stylish");

        Assert.True(exitCode == 0, "redocly lint reported errors:\n" + output);
        Assert.DoesNotContain(" error ", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
