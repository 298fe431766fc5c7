namespace Banyan.Gateway;

internal static class GatewayEndpoints
{
    public const string EchoPath = "/v1/gateway/echo";
}
