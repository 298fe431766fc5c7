using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.StaffConsole.Api;

/// <summary>
/// The console's own OAuth client (<c>banyan-console</c>, client credentials) for its server-side
/// calls to <c>/v1</c>. Its secret is generated at every start and kept only in memory: nothing to
/// leak from disk, and a restarted host simply rotates it (decision 0901).
/// </summary>
internal sealed class ConsoleClientCredentials
{
    public const string ClientId = "banyan-console";

    /// <summary>The scopes the console reads and acts with; the API still checks each route's scope.</summary>
    public static readonly string[] Scopes = ["ledger", "aml", "credit", "lending", "admin", "regtech", "payments", "credit-admin"];

    public string Secret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Completed once the client exists in the OpenIddict store.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed class ConsoleClientProvisioner(IServiceProvider services, ConsoleClientCredentials credentials, ILogger<ConsoleClientProvisioner> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var existing = await applications.FindByClientIdAsync(ConsoleClientCredentials.ClientId, cancellationToken);
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = ConsoleClientCredentials.ClientId,
                ClientSecret = credentials.Secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Banyan staff console (server side)",
            };
            descriptor.Permissions.Add(Permissions.Endpoints.Token);
            descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
            foreach (var s in ConsoleClientCredentials.Scopes)
            {
                descriptor.Permissions.Add(Permissions.Prefixes.Scope + s);
            }

            if (existing is null)
            {
                await applications.CreateAsync(descriptor, cancellationToken);
            }
            else
            {
                await applications.UpdateAsync(existing, descriptor, cancellationToken);
            }

            log.LogInformation("Console OAuth client {ClientId} provisioned with scopes {Scopes}", ConsoleClientCredentials.ClientId, string.Join(' ', ConsoleClientCredentials.Scopes));
            credentials.Ready.TrySetResult();
        }
        catch (Exception ex)
        {
            credentials.Ready.TrySetException(ex);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
