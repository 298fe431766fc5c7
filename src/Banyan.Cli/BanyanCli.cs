using Banyan.Bench;
using Banyan.Cli.Commands;
using Banyan.Platform;
using Banyan.Server;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.Cli;

/// <summary>
/// The <c>banyan</c> command. Exit codes: 0 ok, 1 failure, 2 usage error. Human output and progress
/// go to stderr; stdout carries results (and only JSON with <c>--json</c>), so scripts can pipe it.
/// </summary>
public static class BanyanCli
{
    /// <summary>Exit code of a command that did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>Exit code of a command that failed (the message says why).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a call whose words were wrong (unknown command, bad option).</summary>
    public const int Usage = 2;

    /// <summary>Runs the CLI with <paramref name="args"/> and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var errors = stderr ?? Console.Error;
        var app = new CommandApp();
        app.Configure(config => Configure(config, errors));
        var output = Console.Out;
        if (stdout is not null) Console.SetOut(stdout);
        try
        {
            return await app.RunAsync(args);
        }
        finally
        {
            if (stdout is not null) Console.SetOut(output);
        }
    }

    private static void Configure(IConfigurator config, TextWriter errors)
    {
        config.SetApplicationName("banyan");
        // Unknown options are usage errors, not silently ignored words.
        config.UseStrictParsing();
        config.SetApplicationVersion(VersionCommand.InformationalVersion);
        // Help and parse errors render on stderr: stdout is reserved for results.
        config.ConfigureConsole(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(errors) }));
        config.SetExceptionHandler((exception, _) => ReportError(exception, errors));
        config.AddCommand<ServeCommand>("serve").WithDescription("Run the Banyan server (same options as Banyan.Server).");
        config.AddCommand<DemoCommand>("demo").WithDescription("Start a server with demo data and walk through every module over its real API.");
        config.AddCommand<VersionCommand>("version").WithDescription("Print the version.");
        config.AddBranch("bench", bench =>
        {
            bench.SetDescription("End-to-end benchmarks that print figures.");
            BenchCommands.Configure(bench);
            foreach (var module in Modules.All()) module.ConfigureBench(bench);
        });
        foreach (var module in Modules.All()) module.ConfigureCli(config);
    }

    /// <summary>One line on stderr, and the exit code the failure deserves.</summary>
    internal static int ReportError(Exception exception, TextWriter errors)
    {
        var usage = exception is CommandParseException
            || (exception is CommandRuntimeException && exception.GetType() == typeof(CommandRuntimeException))
            || exception is CliUsageException;
        var message = Flatten(exception.Message);
        errors.WriteLine(usage ? $"banyan: usage error: {message} (see 'banyan --help')" : $"banyan: error: {message}");
        return usage ? Usage : Failure;
    }

    private static string Flatten(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
