using Banyan.Platform;

namespace Banyan.Gateway;

internal static class GatewayDemo
{
    public static Task RunAsync(DemoContext demo, CancellationToken cancellationToken) => Task.CompletedTask;
}
