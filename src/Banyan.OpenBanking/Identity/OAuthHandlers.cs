using System.Security.Claims;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using System.Text.Json;
using Banyan.OpenBanking.Security;
using Banyan.Platform.Security;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Banyan.OpenBanking.Identity;

/// <summary>
/// What this module adds to the host's OpenIddict server (decision 0700): DPoP at the token endpoint
/// (required for the authorization-code grant, optional otherwise), single-use codes, <c>cnf.jkt</c> on bound
/// access tokens, <c>token_type=DPoP</c>, and an audit entry per issued token.
/// </summary>
internal static class OAuthHandlers
{
    public const string JktProperty = ".banyan_dpop_jkt";
    public const string ConfirmationClaim = "cnf";
    public const string ConsentClaim = "ob_consent_id";

    /// <summary>Token endpoint, before the grant is processed: check the DPoP proof and burn the code.</summary>
    internal sealed class CheckTokenRequest(DPoPValidator dpop, ReplayCache replay, TimeProvider time, IAuditLog audit) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<CheckTokenRequest>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            var http = context.Transaction.GetHttpRequest() ?? throw new InvalidOperationException("Not an ASP.NET Core request.");
            var codeGrant = context.Request.IsAuthorizationCodeGrantType();
            if (codeGrant || http.Headers.ContainsKey("DPoP"))
            {
                var (jkt, error) = await dpop.ValidateAsync(http, accessToken: null, context.CancellationToken);
                if (jkt is null)
                {
                    await AuditAsync(context, "dpop_rejected", error);
                    context.Reject(error: "invalid_dpop_proof", description: error);
                    return;
                }

                context.Transaction.Properties[JktProperty] = jkt;
            }

            // OpenIddict cannot make codes single-use with token storage off; a code is burnt on first presentation.
            if (codeGrant && !await replay.TryUseAsync("code", context.Request.Code ?? "", time.GetUtcNow().AddMinutes(5), context.CancellationToken))
            {
                await AuditAsync(context, "code_replayed", "authorization code presented twice");
                context.Reject(error: Errors.InvalidGrant, description: "The authorization code was already used.");
            }
        }

        private ValueTask<long> AuditAsync(ValidateTokenRequestContext context, string action, string? reason) =>
            audit.AppendAsync(new AuditEntry("authentication", action, context.ClientId ?? "anonymous", null, "failed",
                new Dictionary<string, string> { ["reason"] = reason ?? "" }), context.CancellationToken);
    }

    /// <summary>Sign-in: put <c>cnf.jkt</c> into the access token when the request proved a key.</summary>
    internal sealed class BindAccessToken(IAuditLog audit) : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<BindAccessToken>()
            .SetOrder(OpenIddictServerHandlers.PrepareAccessTokenPrincipal.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.EndpointType != OpenIddictServerEndpointType.Token || context.AccessTokenPrincipal is null)
            {
                return;
            }

            var bound = context.Transaction.Properties.TryGetValue(JktProperty, out var value) && value is string;
            if (bound)
            {
                var cnf = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["jkt"] = (string)value! });
                context.AccessTokenPrincipal.SetClaim(ConfirmationClaim, cnf);
            }

            var details = new Dictionary<string, string> { ["grant_type"] = context.Request?.GrantType ?? "", ["dpop_bound"] = bound ? "true" : "false" };
            await audit.AppendAsync(new AuditEntry("authentication", "token_issued", context.ClientId ?? "unknown",
                context.AccessTokenPrincipal.GetClaim(Claims.Subject), "succeeded", details), context.CancellationToken);
        }
    }

    /// <summary>Token response: a DPoP-bound token is of type <c>DPoP</c> (RFC 9449 §5).</summary>
    internal sealed class DPoPTokenType : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<DPoPTokenType>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (context.Response.AccessToken is not null && context.Transaction.Properties.ContainsKey(JktProperty))
            {
                context.Response.TokenType = "DPoP";
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Resource side: accept <c>Authorization: DPoP &lt;token&gt;</c> as well as Bearer (the proof itself is checked by the resource guard).</summary>
    internal sealed class ExtractDPoPToken : IOpenIddictValidationHandler<OpenIddictValidationEvents.ProcessAuthenticationContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ProcessAuthenticationContext>()
            .UseSingletonHandler<ExtractDPoPToken>()
            .SetOrder(OpenIddictValidationAspNetCoreHandlers.ExtractAccessTokenFromAuthorizationHeader.Descriptor.Order + 1)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(OpenIddictValidationEvents.ProcessAuthenticationContext context)
        {
            if (context.AccessToken is not null)
            {
                return ValueTask.CompletedTask;
            }

            var header = context.Transaction.GetHttpRequest()?.Headers.Authorization.ToString();
            if (header is { Length: > 5 } && header.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
            {
                context.AccessToken = header[5..].Trim();
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Resource side, every <c>/v1</c> route: a token carrying <c>cnf.jkt</c> is honoured only with the DPoP scheme
    /// and a valid proof by that key for this request (RFC 9449 §7). Replaces OpenIddict's own proof-of-possession
    /// check, which understands only certificate-bound tokens and throws on <c>jkt</c> (decision 0700).
    /// </summary>
    internal sealed class ValidateDPoPBinding(DPoPValidator dpop, IAuditLog audit) : IOpenIddictValidationHandler<OpenIddictValidationEvents.ProcessAuthenticationContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ProcessAuthenticationContext>()
            // Singleton: its dependencies are; a scoped handler is resolved from the request scope on every call.
            .UseSingletonHandler<ValidateDPoPBinding>()
            .SetOrder(OpenIddictValidationHandlers.ValidateAccessToken.Descriptor.Order + 1_000)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(OpenIddictValidationEvents.ProcessAuthenticationContext context)
        {
            var principal = context.AccessTokenPrincipal;
            var http = context.Transaction.GetHttpRequest();
            if (principal is null || http is null || !principal.HasClaim(c => c.Type == ConfirmationClaim))
            {
                return;
            }

            var jkt = Api.Guard.BoundKey(principal);
            var authorization = http.Headers.Authorization.ToString();
            string? error;
            if (jkt is null)
            {
                error = "unsupported token binding";
            }
            else if (!authorization.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
            {
                error = "a DPoP-bound token must be sent with the DPoP authorization scheme";
            }
            else
            {
                var (proven, proofError) = await dpop.ValidateAsync(http, context.AccessToken, context.CancellationToken);
                error = proofError ?? (string.Equals(proven, jkt, StringComparison.Ordinal) ? null : "the DPoP proof was signed by another key than the token is bound to");
            }

            if (error is null)
            {
                return;
            }

            await audit.AppendAsync(new AuditEntry("gateway", "call_blocked", principal.GetClaim(Claims.ClientId) ?? "unknown", http.Path.Value, "blocked",
                new Dictionary<string, string> { ["reason"] = error }), context.CancellationToken);
            context.Reject(error: Errors.InvalidToken, description: "invalid_dpop_proof: " + error);
        }
    }
}
