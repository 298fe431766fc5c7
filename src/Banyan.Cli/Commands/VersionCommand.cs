using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console.Cli;

namespace Banyan.Cli.Commands;

/// <summary><c>banyan version</c>: the product version (with the commit it was built from) and the runtime.</summary>
internal sealed class VersionCommand : Command<JsonSettings>
{
    public static string InformationalVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public override int Execute(CommandContext context, JsonSettings settings, CancellationToken cancellationToken)
    {
        var version = InformationalVersion;
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        var info = new Dictionary<string, string>
        {
            ["version"] = plus < 0 ? version : version[..plus],
            ["commit"] = plus < 0 ? "unknown" : version[(plus + 1)..],
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
        };
        Console.Out.WriteLine(settings.Json
            ? JsonSerializer.Serialize(info)
            : $"banyan {info["version"]} ({info["commit"]}) on {info["runtime"]}, {info["os"]}");
        return BanyanCli.Ok;
    }
}
