using System.Security.Claims;
using Banyan.Platform;
using Banyan.Server.Http;
using Banyan.Server.Storage;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.Server.Identity;

/// <summary>OpenIddict server (token endpoint) + validation (every <c>/v1</c> route) and one policy per scope.</summary>
internal static class IdentityRegistration
{
    public const string TokenPath = "/connect/token";
    public const int MaxTokenRequestBytes = 16 * 1024;

    public static void AddBanyanIdentity(this IServiceCollection services, IConfiguration configuration, string dataDirectory, ModuleCatalog catalog, string? issuer)
    {
        var (signing, encryption) = KeyStore.LoadOrCreate(dataDirectory);
        var lifetimeMinutes = Math.Clamp(configuration.GetValue("Banyan:Auth:AccessTokenLifetimeMinutes", 60), 1, 24 * 60);
        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<BanyanDbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(TokenPath.TrimStart('/'));
                server.AllowClientCredentialsFlow();
                server.RegisterScopes([.. catalog.Scopes]);
                server.AddSigningKey(signing);
                server.AddEncryptionKey(encryption);

                // Plain signed JWTs: resource servers and clients can read scopes and expiry without our keys.
                server.DisableAccessTokenEncryption();

                // Client-credentials tokens are short-lived bearer JWTs; storing each one would grow a table forever.
                server.DisableTokenStorage();
                server.DisableAuthorizationStorage();
                server.SetAccessTokenLifetime(TimeSpan.FromMinutes(lifetimeMinutes));
                if (issuer is not null)
                {
                    server.SetIssuer(new Uri(issuer, UriKind.Absolute));
                }

                // TLS is terminated in front of the host in production (docs/security.md); plain HTTP stays usable locally.
                server.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });

        // Same handlers, filters and order as OpenIddict's dispatcher, without re-planning every event of every request.
        services.AddSingleton(new ValidationServiceLifetimes(services));
        services.AddSingleton<ValidationDispatchPlan>();
        services.Replace(ServiceDescriptor.Scoped<IOpenIddictValidationDispatcher, ValidationDispatcher>());

        services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        services.AddAuthorization(options =>
        {
            foreach (var scope in catalog.Scopes)
            {
                options.AddPolicy(ScopePolicy.For(scope), policy => policy
                    .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                    .RequireAuthenticatedUser()
                    .RequireAssertion(context => context.User.HasScope(scope)));
            }
        });
        services.AddScoped<BootstrapClient>();
    }

    /// <summary>
    /// The token endpoint's second half: OpenIddict has authenticated the client; we decide the token's claims.
    /// Client credentials: the client itself. Authorization code (enabled by the open-banking module): the
    /// claims the code carries.
    /// </summary>
    public static async Task<IResult> IssueTokenAsync(HttpContext context, IOpenIddictApplicationManager applications)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request is missing: the token endpoint must run behind OpenIddict.");
        if (request.IsAuthorizationCodeGrantType())
        {
            // OpenIddict has validated the code, the PKCE verifier and the client; the code carries the claims
            // (and their destinations) decided at the authorization endpoint by the module that owns it.
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var granted = result.Principal
                ?? throw new InvalidOperationException("OpenIddict accepted an authorization code without a principal.");
            return Results.SignIn(granted, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (!request.IsClientCredentialsGrantType() || request.ClientId is null)
        {
            // OpenIddict only lets enabled grant types through; reaching this is a configuration bug.
            throw new InvalidOperationException($"Unexpected grant type '{request.GrantType}' reached the token endpoint.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId, context.RequestAborted)
            ?? throw new InvalidOperationException("OpenIddict authenticated a client that no longer exists.");
        var scopes = request.GetScopes();
        if (scopes.IsEmpty)
        {
            // No `scope` parameter: grant everything the client may have (RFC 6749 §3.3 lets the server pick a default).
            var permissions = await applications.GetPermissionsAsync(application, context.RequestAborted);
            scopes = [.. permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal)).Select(p => p[Permissions.Prefixes.Scope.Length..])];
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application, context.RequestAborted) ?? request.ClientId);
        identity.SetScopes(scopes);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The calling client's id, from a validated access token.</summary>
    public static string? ClientIdOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.GetClaim(Claims.ClientId) ?? user.GetClaim(Claims.Subject) : null;
}
