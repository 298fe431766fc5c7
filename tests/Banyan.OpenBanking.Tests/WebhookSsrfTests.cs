using System.Net;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Events;
using Banyan.OpenBanking.Sandbox;
using Banyan.OpenBanking.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace Banyan.OpenBanking.Tests;

public sealed class WebhookSsrfTests(EventsFixture f) : IClassFixture<EventsFixture>
{
    private const string Webhooks = "/v1/open-banking/webhooks";

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    public void Private_loopback_link_local_multicast_CGNAT_and_unique_local_addresses_are_refused(string address) =>
        Assert.NotNull(WebhookAddressGuard.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:93.184.216.34")]
    public void Public_unicast_addresses_are_allowed(string address) =>
        Assert.Null(WebhookAddressGuard.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:10.0.0.1]/hook")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://localhost/hook")] // a name resolving to loopback: the allowance is for the literal 127.0.0.1 only
    public async Task A_webhook_whose_host_resolves_to_a_refused_address_is_refused_with_a_problem_and_nothing_is_registered(string url)
    {
        var (agent, _) = await f.PartnerAsync("SSRF Register");
        using var _agent = agent;
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts);

        using var response = await agent.CallAsync(HttpMethod.Post, Webhooks, token, new RegisterWebhook(url, [EventTypes.ConsentRevoked]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("webhook address refused", problem.RootElement.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        var list = await SandboxFlow.ReadAsync<WebhookList>(await agent.CallAsync(HttpMethod.Get, Webhooks, token));
        Assert.Empty(list.Webhooks);
    }

    [Fact]
    public async Task A_name_rebound_to_loopback_after_registration_is_refused_at_connect_time_and_the_literal_allowance_still_works()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var port = new Uri(receiver.Url).Port;
        // The attacker's name now resolves to 127.0.0.1 (DNS rebinding); loopback is allowed only as a literal.
        var guard = new WebhookAddressGuard(allowLoopback: true, (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        using var client = new HttpClient(EventsRegistration.Handler(guard, WebhookOptions.Default));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(new Uri($"http://rebind.example:{port}/hook"), new StringContent("{}")));
        using var allowed = await client.PostAsync(new Uri(receiver.Url), new StringContent("{}"));

        Assert.Contains("webhook address refused: rebind.example resolves to 127.0.0.1, loopback", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Without_the_loopback_allowance_even_the_literal_127_0_0_1_is_refused_at_connect_time()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var guard = new WebhookAddressGuard(allowLoopback: false, (_, _) => Task.FromResult(Array.Empty<IPAddress>()));
        using var client = new HttpClient(EventsRegistration.Handler(guard, WebhookOptions.Default));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(new Uri(receiver.Url), new StringContent("{}")));

        Assert.Contains("webhook address refused: 127.0.0.1", refused.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Theory]
    [InlineData("Production", null, false)]
    [InlineData("Staging", null, false)]
    [InlineData("Development", null, true)]
    [InlineData("Sandbox", null, true)]
    [InlineData("Demo", null, true)]
    [InlineData("Test", null, true)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public void The_loopback_allowance_defaults_to_the_environment_and_configuration_overrides_it(string environment, string? configured, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{WebhookOptions.Section}:{WebhookAddressGuard.AllowLoopbackKey}"] = configured,
        }).Build();

        var guard = WebhookAddressGuard.From(configuration, new HostingEnvironment { EnvironmentName = environment });

        Assert.Equal(expected, guard.AllowLoopback);
    }

    [Fact]
    public async Task A_delivery_to_an_endpoint_that_now_resolves_to_a_refused_address_fails_the_attempt_with_a_clear_error()
    {
        var (agent, _) = await f.PartnerAsync("SSRF Delivery");
        using var _agent = agent;
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts);
        var hook = await SandboxFlow.ReadAsync<WebhookCreatedView>(await agent.CallAsync(HttpMethod.Post, Webhooks, token,
            new RegisterWebhook(receiver.Url, [EventTypes.ConsentRevoked])));
        // What a DNS change after registration amounts to: the stored endpoint's host now names a loopback address.
        await using (var scope = f.Host.Services.CreateAsyncScope())
        {
            var rebound = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
            await scope.ServiceProvider.GetRequiredService<DbContext>().Set<WebhookEndpointRow>().Where(w => w.Id == hook.WebhookId)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.Url, rebound));
        }

        var consent = await SandboxFlow.ReadAsync<ConsentView>(await agent.CallAsync(HttpMethod.Post, "/v1/open-banking/account-access-consents", token, EventsFixture.ReadAccounts));
        using var revoked = await agent.CallAsync(HttpMethod.Delete, $"/v1/open-banking/account-access-consents/{consent.ConsentId}", token);
        var events = await SandboxFlow.ReadAsync<EventList>(await agent.CallAsync(HttpMethod.Get, "/v1/open-banking/events", token));
        var eventId = events.Events.Single(e => e.Subject == consent.ConsentId).EventId;
        var log = await EventsFixture.EventuallyAsync(
            async () => await SandboxFlow.ReadAsync<DeliveryLog>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/events/{eventId}/deliveries", token)),
            l => l.Deliveries.Single().AttemptLog.Count > 0, "the first attempt");

        var attempt = log.Deliveries.Single().AttemptLog[0];
        Assert.Null(attempt.StatusCode);
        Assert.Contains("webhook address refused: localhost resolves to", attempt.Error, StringComparison.Ordinal);
        Assert.Contains("loopback", attempt.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }
}
