using System.Text.Json;
using Banyan.Cli;

namespace Banyan.Cli.Tests;

// The CLI swaps Console.Out while it runs; keep these tests off other threads' consoles.
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection("console")]
public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await BanyanCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Version_with_json_prints_only_a_json_document_on_stdout()
    {
        var (code, stdout, _) = await Run("version", "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Matches(@"^\d+\.\d+\.\d+", json.RootElement.GetProperty("version").GetString());
        Assert.Contains(".NET", json.RootElement.GetProperty("runtime").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_is_a_usage_error_with_one_line_on_stderr()
    {
        var (code, stdout, stderr) = await Run("no-such-command");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("banyan: usage error:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error()
    {
        var (code, stdout, stderr) = await Run("version", "--no-such-option");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("no-such-option", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_of_an_unknown_module_is_a_usage_error_and_starts_nothing()
    {
        var (code, _, stderr) = await Run("demo", "--module", "nonexistent");
        Assert.Equal(2, code);
        Assert.Contains("unknown module 'nonexistent'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runtime_failure_maps_to_exit_code_one()
    {
        using var stderr = new StringWriter();
        var code = BanyanCli.ReportError(new IOException("disk full\nat line two"), stderr);
        Assert.Equal(1, code);
        Assert.Equal("banyan: error: disk full at line two", stderr.ToString().TrimEnd());
    }
}

[Collection("console")]
public class DemoCommandTests
{
    [Fact]
    public async Task Demo_runs_every_module_walk_through_over_the_real_api_and_reports_json()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await BanyanCli.RunAsync(["demo", "--json"], stdout, stderr);

        Assert.True(code == 0, "demo failed:\n" + stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout.ToString());
        var modules = json.RootElement.GetProperty("modules").EnumerateArray().ToList();
        Assert.Equal(Banyan.Server.Modules.All().Select(m => m.Name), modules.Select(m => m.GetProperty("module").GetString()));
        Assert.All(modules, m => Assert.Equal("ok", m.GetProperty("status").GetString()));
    }
}
