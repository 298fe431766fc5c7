using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;

namespace Banyan.Server.Http;

/// <summary>
/// ASP.NET Core's authentication middleware, except that the OpenIddict server is asked to handle a request
/// only when its path is one of the server's endpoints. The stock middleware asks every request handler about
/// every request; for OpenIddict that is a transaction and a handler pipeline per API call just to learn
/// "not mine" (decision 0620, second pass). Everything else is what <c>UseAuthentication()</c> does.
/// </summary>
internal sealed class GatedAuthenticationMiddleware(RequestDelegate next, IAuthenticationSchemeProvider schemes, IOptions<OpenIddictServerOptions> server)
{
    private readonly string[] _serverPaths = ServerPaths(server.Value);

    public async Task InvokeAsync(HttpContext context)
    {
        context.Features.Set<IAuthenticationFeature>(new AuthenticationFeature
        {
            OriginalPath = context.Request.Path,
            OriginalPathBase = context.Request.PathBase,
        });

        var handlers = context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
        foreach (var scheme in await schemes.GetRequestHandlerSchemesAsync())
        {
            if (scheme.Name == OpenIddictServerAspNetCoreDefaults.AuthenticationScheme && !IsServerEndpoint(context.Request))
            {
                continue;
            }

            if (await handlers.GetHandlerAsync(context, scheme.Name) is IAuthenticationRequestHandler handler && await handler.HandleRequestAsync())
            {
                return;
            }
        }

        if (await schemes.GetDefaultAuthenticateSchemeAsync() is { } defaultScheme)
        {
            var result = await context.AuthenticateAsync(defaultScheme.Name);
            if (result.Principal is not null)
            {
                context.User = result.Principal;
            }

            if (result.Succeeded)
            {
                var feature = new AuthenticatedFeature(result);
                context.Features.Set<IHttpAuthenticationFeature>(feature);
                context.Features.Set<IAuthenticateResultFeature>(feature);
            }
        }

        await next(context);
    }

    /// <summary>Whether the request may be one of the OpenIddict server's endpoints (a superset: prefix match, either side of the path base).</summary>
    internal bool IsServerEndpoint(HttpRequest request)
    {
        var path = request.Path;
        var full = request.PathBase.Add(path);
        foreach (var candidate in _serverPaths)
        {
            if (path.StartsWithSegments(candidate, StringComparison.OrdinalIgnoreCase) || full.StartsWithSegments(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    internal static string[] ServerPaths(OpenIddictServerOptions options)
    {
        List<Uri>[] lists =
        [
            options.AuthorizationEndpointUris, options.ConfigurationEndpointUris, options.DeviceAuthorizationEndpointUris,
            options.EndSessionEndpointUris, options.IntrospectionEndpointUris, options.JsonWebKeySetEndpointUris,
            options.PushedAuthorizationEndpointUris, options.RevocationEndpointUris, options.TokenEndpointUris,
            options.UserInfoEndpointUris, options.EndUserVerificationEndpointUris,
        ];
        return [.. lists.SelectMany(list => list).Select(PathOf).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    // Relative endpoint URIs are relative to the host's base (OpenIddict resolves them against the request's base).
    private static string PathOf(Uri uri)
    {
        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : "/" + uri.OriginalString.TrimStart('/');
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    private sealed class AuthenticatedFeature(AuthenticateResult result) : IHttpAuthenticationFeature, IAuthenticateResultFeature
    {
        private AuthenticateResult? _result = result;
        private ClaimsPrincipal? _user = result.Principal;

        public AuthenticateResult? AuthenticateResult
        {
            get => _result;
            set
            {
                _result = value;
                _user = value?.Principal;
            }
        }

        public ClaimsPrincipal? User
        {
            get => _user;
            set
            {
                _user = value;
                _result = null;
            }
        }
    }
}
