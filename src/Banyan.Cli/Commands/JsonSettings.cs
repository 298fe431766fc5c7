using System.ComponentModel;
using Spectre.Console.Cli;

namespace Banyan.Cli.Commands;

/// <summary>Settings shared by commands that can print machine-readable output.</summary>
internal class JsonSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print only a JSON document on stdout.")]
    public bool Json { get; init; }
}
