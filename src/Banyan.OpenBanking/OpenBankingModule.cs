using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Identity;
using Banyan.OpenBanking.Pages;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Banyan.Platform;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking;

/// <summary>
/// The open-banking module (issue 5, docs/open-banking.md): customers who log in with password + TOTP,
/// partners registered and approved by operators, FAPI 2.0-style OAuth on the host's OpenIddict server
/// (PAR required, PKCE S256, <c>private_key_jwt</c>, DPoP-bound tokens, <c>iss</c> in the response,
/// single-use 60-second codes), consents, and account and payment resources under <c>/v1/open-banking</c>.
/// Balances and money movements are the ledger's, through the payments module's contracts.
/// </summary>
public sealed class OpenBankingModule : BanyanModule
{
    /// <inheritdoc />
    public override string Name => "openbanking";

    /// <inheritdoc />
    public override IReadOnlyList<string> Scopes => [OpenBankingScopes.Accounts, OpenBankingScopes.Payments, OpenBankingScopes.Onboarding];

    /// <inheritdoc />
    public override void ConfigureServices(IServiceCollection services, ModuleContext context)
    {
        services.AddSingleton<ReplayCache>();
        services.AddSingleton<AccessTokenCache>();
        services.AddSingleton<GuardCache>();
        services.AddSingleton<DPoPValidator>();
        services.AddSingleton<Partners>();
        services.AddSingleton<Consents>();
        services.AddSingleton<Customers>();
        services.AddSingleton<Guard>();
        services.AddSingleton<DetachedJws>();
        LoginServices.Add(services, context.Configuration);
        services.AddIdentityCore<Customer>(options =>
        {
            options.Password.RequiredLength = 10;
            options.Lockout.MaxFailedAccessAttempts = 5;
            options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            options.Lockout.AllowedForNewUsers = true;
        }).AddUserStore<CustomerStore>();
        services.AddAuthentication().AddCookie(CustomerPages.Scheme, options =>
        {
            options.Cookie.Name = "banyan_ob_session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromMinutes(15);
            options.SlidingExpiration = false;
            options.Events = new CookieAuthenticationEvents
            {
                // Pages render the login form themselves; never redirect API-style.
                OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; },
            };
        });
        ConfigureOAuth(services);
        Events.EventsRegistration.Add(services, context.Configuration);
        services.AddSingleton(Registration.RegistrationOptions.From(context.Configuration));
    }

    private static void ConfigureOAuth(IServiceCollection services) =>
        services.AddOpenIddict()
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize");
                server.SetPushedAuthorizationEndpointUris("connect/par");
                server.AllowAuthorizationCodeFlow();
                server.RequireProofKeyForCodeExchange();
                server.RequirePushedAuthorizationRequests();
                server.SetAuthorizationCodeLifetime(TimeSpan.FromSeconds(60));
                // FAPI 2.0: S256 only.
                server.Configure(options =>
                {
                    options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
                    options.RequestTokenLifetime = TimeSpan.FromSeconds(90);
                });
                server.AddEventHandler(OAuthHandlers.CheckTokenRequest.Descriptor);
                server.AddEventHandler(OAuthHandlers.BindAccessToken.Descriptor);
                server.AddEventHandler(OAuthHandlers.DPoPTokenType.Descriptor);
                server.AddEventHandler(Registration.DiscoveryMetadata.Descriptor);
                server.UseAspNetCore().EnableAuthorizationEndpointPassthrough();
            })
            .AddValidation(validation =>
            {
                validation.AddEventHandler(OAuthHandlers.ExtractDPoPToken.Descriptor);
                // Signature checked once per token; expiry and every other check still per call (decision 0620).
                validation.AddEventHandler(AccessTokenCache.Lookup.Descriptor);
                validation.AddEventHandler(AccessTokenCache.Remember.Descriptor);
                // OpenIddict's check knows only certificate-bound tokens and throws on cnf.jkt; ours covers DPoP (decision 0700).
                validation.RemoveEventHandler(OpenIddictValidationHandlers.Protection.ValidateProofOfPossession.Descriptor);
                validation.AddEventHandler(OAuthHandlers.ValidateDPoPBinding.Descriptor);
            });

    /// <inheritdoc />
    public override void ConfigureModel(ModelBuilder model)
    {
        OpenBankingModel.Configure(model);
        CardRow.Configure(model);
        EventModel.Configure(model);
        LoginModel.Configure(model);
    }

    /// <inheritdoc />
    public override void ConfigurePipeline(IApplicationBuilder app)
    {
        var jws = app.ApplicationServices.GetRequiredService<DetachedJws>();
        app.Use((context, next) => jws.InvokeAsync(context, () => next(context)));
    }

    /// <inheritdoc />
    public override void MapEndpoints(IEndpointRouteBuilder v1)
    {
        var openBanking = v1.MapGroup("/open-banking");
        AdminEndpoints.Map(openBanking);
        AdminListEndpoints.Map(openBanking);
        ConsentEndpoints.Map(openBanking);
        ResourceEndpoints.Map(openBanking);
        Onboarding.Map(openBanking);
        Events.WebhookEndpoints.Map(openBanking);
    }

    /// <inheritdoc />
    public override void MapRootEndpoints(IEndpointRouteBuilder app)
    {
        CustomerPages.Map(app);
        Registration.DynamicRegistration.Map(app);
    }

    /// <inheritdoc />
    public override Task RunDemoAsync(DemoContext demo, CancellationToken cancellationToken) => Demo.OpenBankingWalkthrough.RunAsync(demo, cancellationToken);
}
