using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.Credit.Tests;

// Commands write to Console.Out/Error; keep every console-swapping test on one thread.
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>Hosts the credit branch the way the banyan CLI does: a Spectre CommandApp configured by the module.</summary>
internal static class CliHarness
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.ConfigureConsole(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) }));
            config.PropagateExceptions();
            new CreditModule().ConfigureCli(config);
        });
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            return (await app.RunAsync(args), stdout.ToString(), stderr.ToString());
        }
        catch (Banyan.Platform.CliUsageException e)
        {
            return (2, stdout.ToString(), stderr + e.Message);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
