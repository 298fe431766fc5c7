using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Banyan.OpenBanking.Registration;

/// <summary>
/// Adds <c>registration_endpoint</c> (RFC 7591 §3, RFC 8414 §2) to the server's discovery document, so a
/// partner's software finds <see cref="DynamicRegistration.Path"/> the standard way (decision 0609).
/// </summary>
internal sealed class DiscoveryMetadata : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
        .UseSingletonHandler<DiscoveryMetadata>()
        .SetOrder(int.MaxValue - 100_000)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        // Relative to the issuer (the host's base URI), like every other endpoint OpenIddict lists.
        if (context.BaseUri is { } root)
        {
            context.Metadata["registration_endpoint"] = new Uri(root, DynamicRegistration.Path.TrimStart('/')).AbsoluteUri;
        }

        return ValueTask.CompletedTask;
    }
}
