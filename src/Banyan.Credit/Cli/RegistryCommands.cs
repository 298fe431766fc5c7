using System.ComponentModel;
using Banyan.Credit.Model;
using Banyan.Credit.Registry;
using Banyan.Platform;
using Spectre.Console.Cli;

namespace Banyan.Credit.Cli;

/// <summary>Settings of the registry commands: where the registry lives.</summary>
internal class RegistrySettings : CommandSettings
{
    [CommandOption("--registry <DIR>")]
    [Description("Registry directory (the server uses <data>/credit/registry).")]
    public string? Registry { get; init; }

    [CommandOption("--json")]
    [Description("Print only a JSON document on stdout.")]
    public bool Json { get; init; }

    public ModelRegistry Open() =>
        string.IsNullOrWhiteSpace(Registry) ? throw new CliUsageException("--registry <DIR> is required") : new ModelRegistry(Registry, TimeProvider.System);
}

internal class VersionSettings : RegistrySettings
{
    [CommandOption("--model-version <VERSION>")] [Description("Model version, e.g. v1-1a2b3c4d.")] public string? Version { get; init; }

    public string RequireVersion() => string.IsNullOrWhiteSpace(Version) ? throw new CliUsageException("--model-version <VERSION> is required") : Version;
}

internal static class RegistryOutput
{
    public static int Print(RegistryEntry entry, bool json)
    {
        if (json) Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(entry, RegistryJson.Options));
        else Console.Error.WriteLine($"{entry.Version}: {entry.Status.ToString().ToLowerInvariant()} (cv AUC {entry.CvAuc:F4}{(entry.ApprovedBy is null ? "" : ", approved by " + entry.ApprovedBy)})");
        return 0;
    }

    public static int Guard(Func<RegistryEntry> action, bool json)
    {
        try { return Print(action(), json); }
        catch (KeyNotFoundException e) { throw new CliUsageException(e.Message); }
        catch (ArgumentException e) { throw new CliUsageException(e.Message); }
    }
}

internal sealed class RegistryAddCommand : Command<RegistryAddCommand.Settings>
{
    internal sealed class Settings : RegistrySettings
    {
        [CommandOption("--model <FILE>")] [Description("Model JSON written by 'credit train'.")] public string? Model { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        RegistryOutput.Print(settings.Open().Register(CliSupport.LoadModel(settings.Model).Document), settings.Json);
}

internal sealed class RegistryApproveCommand : Command<RegistryApproveCommand.Settings>
{
    internal sealed class Settings : VersionSettings
    {
        [CommandOption("--approver <NAME>")] [Description("Who approves (recorded).")] public string? Approver { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        RegistryOutput.Guard(() => settings.Open().Approve(settings.RequireVersion(), settings.Approver ?? ""), settings.Json);
}

internal sealed class RegistryRetireCommand : Command<VersionSettings>
{
    public override int Execute(CommandContext context, VersionSettings settings, CancellationToken cancellationToken) =>
        RegistryOutput.Guard(() => settings.Open().Retire(settings.RequireVersion()), settings.Json);
}

internal sealed class RegistryListCommand : Command<RegistrySettings>
{
    public override int Execute(CommandContext context, RegistrySettings settings, CancellationToken cancellationToken)
    {
        var entries = settings.Open().List();
        if (settings.Json) Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { versions = entries }, RegistryJson.Options));
        else foreach (var e in entries) RegistryOutput.Print(e, json: false);
        return 0;
    }
}
