using Spectre.Console.Cli;

namespace Banyan.Gateway;

internal sealed class GatewayBenchCommand : AsyncCommand<GatewayBenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) => Task.FromResult(0);
}
