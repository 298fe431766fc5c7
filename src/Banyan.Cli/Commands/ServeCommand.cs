using System.ComponentModel;
using Banyan.Server;
using Spectre.Console.Cli;

namespace Banyan.Cli.Commands;

/// <summary><c>banyan serve</c>: runs the host exactly as <c>dotnet run --project src/Banyan.Server</c> does.</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Where to listen (default http://localhost:5080).")]
        public string? Urls { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("Data directory (default ./data).")]
        public string? Data { get; init; }

        [CommandOption("--demo")]
        [Description("Seed demo data into an empty data directory.")]
        public bool Demo { get; init; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var args = new List<string>();
        if (settings.Urls is not null) args.AddRange(["--urls", settings.Urls]);
        if (settings.Data is not null) args.AddRange(["--data", settings.Data]);
        if (settings.Demo) args.Add("--demo");
        return BanyanServer.RunAsync([.. args]);
    }
}
