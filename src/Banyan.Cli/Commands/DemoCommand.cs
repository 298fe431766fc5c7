using System.ComponentModel;
using System.Text.Json;
using Banyan.Platform;
using Banyan.Server;
using Microsoft.AspNetCore.Builder;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.Cli.Commands;

/// <summary>
/// <c>banyan demo</c>: starts a real server on a loopback port with demo data, obtains a token with the
/// bootstrap client like a partner would, and runs every module's walk-through over HTTP.
/// </summary>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    internal sealed class Settings : JsonSettings
    {
        [CommandOption("--data <DIR>")]
        [Description("Data directory to use (default: a fresh temporary directory, removed afterwards).")]
        public string? Data { get; init; }

        [CommandOption("--module <NAME>")]
        [Description("Run only this module's walk-through.")]
        public string? Module { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var modules = Modules.All();
        if (settings.Module is not null && modules.All(m => m.Name != settings.Module))
            throw new CliUsageException($"unknown module '{settings.Module}'; modules: {string.Join(", ", modules.Select(m => m.Name))}");
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var temporary = settings.Data is null;
        var dataDirectory = settings.Data ?? Path.Combine(Path.GetTempPath(), "banyan-demo-" + Guid.NewGuid().ToString("N")[..8]);
        var outcomes = new List<Dictionary<string, string>>();
        try
        {
            await using var app = BanyanServer.Build([
                "--urls", "http://127.0.0.1:0", "--data", dataDirectory, "--demo",
                // The walk-through is the output; the host's own start-up chatter would drown it.
                "--Logging:LogLevel:Default=Warning",
                // stdout is reserved for the result (--json); every log line goes to stderr.
                "--Logging:Console:LogToStandardErrorThreshold=Trace",
            ]);
            await app.StartAsync(cancellationToken);
            using var api = await app.CreateAuthorizedClientAsync(cancellationToken);
            var baseAddress = api.BaseAddress;
            console.MarkupLineInterpolated($"[bold]Banyan demo[/] — server at {baseAddress}, data in {dataDirectory}");
            console.MarkupLineInterpolated($"Signed in as the bootstrap client (OAuth2 client_credentials, POST /connect/token); API reference at {baseAddress}docs");
            foreach (var module in modules.Where(m => settings.Module is null || m.Name == settings.Module))
                outcomes.Add(await RunModuleAsync(module, new DemoContext(api, console, app.Services), console, cancellationToken));
            await app.StopAsync(cancellationToken);
        }
        finally
        {
            if (temporary && Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
        if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(new { modules = outcomes }));
        return outcomes.All(o => o["status"] == "ok") ? BanyanCli.Ok : BanyanCli.Failure;
    }

    private static async Task<Dictionary<string, string>> RunModuleAsync(IBanyanModule module, DemoContext demo, IAnsiConsole console, CancellationToken cancellationToken)
    {
        console.Write(new Rule($"[bold]{module.Name}[/]").LeftJustified());
        try
        {
            await module.RunDemoAsync(demo, cancellationToken);
            return new() { ["module"] = module.Name, ["status"] = "ok" };
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or JsonException)
        {
            console.MarkupLineInterpolated($"[red]{module.Name} walk-through failed:[/] {e.Message}");
            return new() { ["module"] = module.Name, ["status"] = "failed", ["error"] = e.Message };
        }
    }
}
