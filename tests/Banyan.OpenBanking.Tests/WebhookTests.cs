using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Events;
using Banyan.OpenBanking.Sandbox;

namespace Banyan.OpenBanking.Tests;

public sealed class WebhookTests(EventsFixture f) : IClassFixture<EventsFixture>
{
    private const string Webhooks = "/v1/open-banking/webhooks";

    [Fact]
    public void A_webhook_signature_verifies_over_the_exact_body_and_fails_when_body_id_secret_or_timestamp_differ()
    {
        var secret = WebhookSignature.NewSecret();
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\",\"type\":\"consent.revoked\",\"data\":{\"consent_id\":\"aac_1\"}}");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var ts = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var signature = WebhookSignature.Sign(secret, "evt_1", now.ToUnixTimeSeconds(), body);

        // What a receiver computes from the documented scheme, independently of the product code.
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"evt_1.{ts}.").Concat(body).ToArray()));
        Assert.Equal(expected, signature);
        Assert.True(WebhookSignature.Verify(secret, "evt_1", ts, "v1,bm90LXRoaXM= " + signature, body, now));
        var tampered = body.ToArray();
        tampered[^3] ^= 0x01;
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts, signature, tampered, now));
        Assert.False(WebhookSignature.Verify(secret, "evt_2", ts, signature, body, now));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), "evt_1", ts, signature, body, now));
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts, signature, body, now.AddMinutes(6)));
    }

    [Fact]
    public async Task A_receiver_failing_twice_gets_the_signed_event_on_attempt_three_after_growing_delays()
    {
        var (agent, _) = await f.PartnerAsync("Events Retry");
        using var _agent = agent;
        await using var receiver = await WebhookReceiver.StartAsync(call => call switch { 1 => 500, 2 => 503, _ => 204 });
        var (token, hook) = await RegisterAsync(agent, receiver.Url, EventTypes.ConsentRevoked);

        var eventId = await RevokedConsentEventAsync(agent, token);
        var log = await EventsFixture.EventuallyAsync(() => LogAsync(agent, token, eventId), l => l.Deliveries.Single().Status == "delivered", "delivery");

        var delivery = log.Deliveries.Single();
        Assert.Equal(hook.WebhookId, delivery.WebhookId);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal([500, 503, 204], delivery.AttemptLog.Select(a => a.StatusCode ?? 0));
        Assert.Equal([1, 2, 3], delivery.AttemptLog.Select(a => a.Attempt));
        var first = delivery.AttemptLog[0].NextAttemptAt!.Value - delivery.AttemptLog[0].AttemptedAt;
        var second = delivery.AttemptLog[1].NextAttemptAt!.Value - delivery.AttemptLog[1].AttemptedAt;
        // Scheduled (not measured) delays: 40 ms · 2^(n-1) scaled by jitter in [0.75, 1).
        Assert.InRange(first.TotalMilliseconds, 29, 41);
        Assert.InRange(second.TotalMilliseconds, 59, 81);
        Assert.True(second > first);
        Assert.True(delivery.AttemptLog[1].AttemptedAt >= delivery.AttemptLog[0].NextAttemptAt);
        Assert.True(delivery.AttemptLog[2].AttemptedAt >= delivery.AttemptLog[1].NextAttemptAt);
        Assert.Null(delivery.AttemptLog[2].NextAttemptAt);
        Assert.Null(delivery.NextAttemptAt);

        var received = receiver.Received;
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(eventId, r.Id));
        Assert.All(received, r => Assert.True(WebhookSignature.Verify(hook.Secret, r.Id, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow)));
        using var body = JsonDocument.Parse(received[^1].Body);
        Assert.Equal(eventId, body.RootElement.GetProperty("id").GetString());
        Assert.Equal("consent.revoked", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("revoked", body.RootElement.GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_ends_failed_and_redelivery_then_delivers_it_once()
    {
        var (agent, _) = await f.PartnerAsync("Events Failing");
        using var _agent = agent;
        await using var receiver = await WebhookReceiver.StartAsync(_ => 500);
        var (token, _) = await RegisterAsync(agent, receiver.Url, EventTypes.ConsentRevoked);
        var eventId = await RevokedConsentEventAsync(agent, token);

        var failed = await EventsFixture.EventuallyAsync(() => LogAsync(agent, token, eventId), l => l.Deliveries.Single().Status == "failed", "failure");
        Assert.Equal(EventsFixture.MaxAttempts, failed.Deliveries.Single().Attempts);
        Assert.Equal(EventsFixture.MaxAttempts, failed.Deliveries.Single().AttemptLog.Count);
        Assert.All(failed.Deliveries.Single().AttemptLog, a => Assert.Equal(500, a.StatusCode));
        Assert.Null(failed.Deliveries.Single().AttemptLog[^1].NextAttemptAt);

        receiver.Status = _ => 200;
        using var redeliver = await agent.CallAsync(HttpMethod.Post, $"/v1/open-banking/events/{eventId}/redeliver", token);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var delivered = await EventsFixture.EventuallyAsync(() => LogAsync(agent, token, eventId), l => l.Deliveries.Single().Status == "delivered", "redelivery");

        var attempts = delivered.Deliveries.Single().AttemptLog;
        Assert.Equal(EventsFixture.MaxAttempts + 1, attempts.Count);
        Assert.Equal(200, attempts[^1].StatusCode);
        Assert.Equal(1, attempts[^1].Attempt);
        Assert.Equal(EventsFixture.MaxAttempts + 1, receiver.Received.Count);
        using var again = await agent.CallAsync(HttpMethod.Post, $"/v1/open-banking/events/{eventId}/redeliver", token);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Another_partner_can_neither_see_nor_manage_a_partners_webhooks_events_or_deliveries()
    {
        var (a, _) = await f.PartnerAsync("Events Owner");
        var (b, _) = await f.PartnerAsync("Events Other");
        using var _a = a;
        using var _b = b;
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var (tokenA, hook) = await RegisterAsync(a, receiver.Url, EventTypes.ConsentRevoked);
        var eventId = await RevokedConsentEventAsync(a, tokenA);
        var tokenB = await b.ClientCredentialsAsync(OpenBankingScopes.Accounts);

        var listB = await SandboxFlow.ReadAsync<WebhookList>(await b.CallAsync(HttpMethod.Get, Webhooks, tokenB));
        var eventsB = await SandboxFlow.ReadAsync<EventList>(await b.CallAsync(HttpMethod.Get, "/v1/open-banking/events", tokenB));
        using var log = await b.CallAsync(HttpMethod.Get, $"/v1/open-banking/events/{eventId}/deliveries", tokenB);
        using var redeliver = await b.CallAsync(HttpMethod.Post, $"/v1/open-banking/events/{eventId}/redeliver", tokenB);
        using var delete = await b.CallAsync(HttpMethod.Delete, $"{Webhooks}/{hook.WebhookId}", tokenB);
        using var admin = await f.Host.Admin.GetAsync(new Uri(Webhooks, UriKind.Relative));

        Assert.DoesNotContain(listB.Webhooks, w => w.WebhookId == hook.WebhookId);
        Assert.DoesNotContain(eventsB.Events, e => e.EventId == eventId);
        Assert.Equal(HttpStatusCode.NotFound, log.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, redeliver.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal("application/problem+json", delete.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode); // a bearer (non-DPoP) token is no partner
        var listA = await SandboxFlow.ReadAsync<WebhookList>(await a.CallAsync(HttpMethod.Get, Webhooks, tokenA));
        Assert.Contains(listA.Webhooks, w => w.WebhookId == hook.WebhookId);
        using var ownLog = await a.CallAsync(HttpMethod.Get, $"/v1/open-banking/events/{eventId}/deliveries", tokenA);
        Assert.Equal(HttpStatusCode.OK, ownLog.StatusCode);
    }

    [Theory]
    [InlineData("http://partner.example/hook", "consent.revoked", "url")]
    [InlineData("http://localhost:8080/hook", "consent.revoked", "url")]
    [InlineData("https://user:pw@partner.example/hook", "consent.revoked", "url")]
    [InlineData("ftp://partner.example/hook", "consent.revoked", "url")]
    [InlineData("https://partner.example/hook", "payment.exploded", "event_types")]
    public async Task A_webhook_outside_the_url_and_event_rules_is_refused_and_nothing_is_registered(string url, string type, string field)
    {
        var (agent, _) = await f.PartnerAsync("Events Rules");
        using var _agent = agent;
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts);

        using var response = await agent.CallAsync(HttpMethod.Post, Webhooks, token, new RegisterWebhook(url, [type]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        var list = await SandboxFlow.ReadAsync<WebhookList>(await agent.CallAsync(HttpMethod.Get, Webhooks, token));
        Assert.Empty(list.Webhooks);
    }

    [Fact]
    public async Task A_partner_may_register_five_endpoints_and_the_secret_is_shown_only_once()
    {
        var (agent, _) = await f.PartnerAsync("Events Limit");
        using var _agent = agent;
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Payments);
        var secrets = new List<string>();
        for (var i = 0; i < WebhookOptions.MaxEndpointsPerPartner; i++)
        {
            secrets.Add((await SandboxFlow.ReadAsync<WebhookCreatedView>(await agent.CallAsync(HttpMethod.Post, Webhooks, token,
                new RegisterWebhook($"https://partner{i}.example/hook", [EventTypes.PaymentCompleted])))).Secret);
        }

        using var sixth = await agent.CallAsync(HttpMethod.Post, Webhooks, token, new RegisterWebhook("https://partner9.example/hook", [EventTypes.PaymentCompleted]));
        using var list = await agent.CallAsync(HttpMethod.Get, Webhooks, token);
        var text = await list.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, sixth.StatusCode);
        Assert.Equal(WebhookOptions.MaxEndpointsPerPartner, secrets.Distinct().Count());
        Assert.All(secrets, s => Assert.StartsWith("whsec_", s, StringComparison.Ordinal));
        Assert.All(secrets, s => Assert.DoesNotContain(s, text, StringComparison.Ordinal));
        Assert.Equal(WebhookOptions.MaxEndpointsPerPartner, JsonDocument.Parse(text).RootElement.GetProperty("webhooks").GetArrayLength());
        var audit = await f.Host.Admin.GetStringAsync(new Uri("/v1/audit?category=partner&limit=500", UriKind.Relative));
        Assert.Contains("webhook_registered", audit, StringComparison.Ordinal);
        Assert.All(secrets, s => Assert.DoesNotContain(s, audit, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authorising_then_paying_and_declining_a_consent_deliver_their_events_and_a_customer_token_cannot_manage_webhooks()
    {
        var (agent, partner) = await f.PartnerAsync("Events Pay");
        using var _agent = agent;
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var (_, hook) = await RegisterAsync(agent, receiver.Url, EventTypes.ConsentAuthorised, EventTypes.ConsentRejected, EventTypes.PaymentCompleted);
        var payer = await SandboxFlow.NewCustomerAsync(f.Host.Admin, partner.PartnerId, 100_000);
        var payee = await SandboxFlow.NewCustomerAsync(f.Host.Admin, partner.PartnerId, 0);
        var consent = await SandboxFlow.CreateConsentAsync(agent, "/v1/open-banking/domestic-payment-consents", OpenBankingScopes.Payments,
            new CreateDomesticPaymentConsent(payee.AccountId, 1_500, "CNY", "events test"));
        using var browser = f.Host.NewBrowser();
        var authorized = await SandboxFlow.AuthorizeAsync(agent, browser, payer, OpenBankingScopes.Payments, consent.ConsentId, TimeProvider.System);
        Assert.True(authorized.Code is not null, authorized.Error + " " + authorized.LastHtml);
        var (_, tokenBody) = await agent.ExchangeCodeAsync(authorized.Code!, authorized.Verifier);

        var customerToken = tokenBody.GetProperty("access_token").GetString()!;
        var payment = await SandboxFlow.ReadAsync<PaymentView>(await agent.CallAsync(HttpMethod.Post, "/v1/open-banking/domestic-payments",
            customerToken, new CreateDomesticPayment(consent.ConsentId)));
        var declined = await SandboxFlow.CreateConsentAsync(agent, "/v1/open-banking/domestic-payment-consents", OpenBankingScopes.Payments,
            new CreateDomesticPaymentConsent(payee.AccountId, 2_500, "CNY", "declined"));
        var denied = await SandboxFlow.AuthorizeAsync(agent, browser, payer, OpenBankingScopes.Payments, declined.ConsentId, TimeProvider.System, decision: "deny");
        using var asCustomer = await agent.CallAsync(HttpMethod.Get, Webhooks, customerToken);
        var received = await EventsFixture.EventuallyAsync(() => Task.FromResult(receiver.Received), r => r.Count >= 3, "three events");

        Assert.Equal("access_denied", denied.Error);
        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
        var bodies = received.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["consent.authorised", "consent.rejected", "payment.completed"], bodies.Select(b => b.GetProperty("type").GetString()).Order());
        Assert.Equal(declined.ConsentId, bodies.Single(b => b.GetProperty("type").GetString() == "consent.rejected").GetProperty("data").GetProperty("consent_id").GetString());
        var paid = bodies.Single(b => b.GetProperty("type").GetString() == "payment.completed").GetProperty("data");
        Assert.Equal(payment.PaymentId, paid.GetProperty("payment_id").GetString());
        Assert.Equal(1_500, paid.GetProperty("amount_minor").GetInt64());
        Assert.All(received, r => Assert.True(WebhookSignature.Verify(hook.Secret, r.Id, r.Timestamp, r.Signature, r.Body, DateTimeOffset.UtcNow)));
    }

    private static async Task<(string Token, WebhookCreatedView Hook)> RegisterAsync(PartnerAgent agent, string url, params string[] types)
    {
        var token = await agent.ClientCredentialsAsync(OpenBankingScopes.Accounts + " " + OpenBankingScopes.Payments);
        var hook = await SandboxFlow.ReadAsync<WebhookCreatedView>(await agent.CallAsync(HttpMethod.Post, Webhooks, token, new RegisterWebhook(url, types)));
        return (token, hook);
    }

    private static async Task<string> RevokedConsentEventAsync(PartnerAgent agent, string token)
    {
        var consent = await SandboxFlow.ReadAsync<ConsentView>(await agent.CallAsync(HttpMethod.Post, "/v1/open-banking/account-access-consents", token, EventsFixture.ReadAccounts));
        using var revoked = await agent.CallAsync(HttpMethod.Delete, $"/v1/open-banking/account-access-consents/{consent.ConsentId}", token);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        var events = await SandboxFlow.ReadAsync<EventList>(await agent.CallAsync(HttpMethod.Get, "/v1/open-banking/events", token));
        return events.Events.Single(e => e.Subject == consent.ConsentId && e.Type == EventTypes.ConsentRevoked).EventId;
    }

    private static async Task<DeliveryLog> LogAsync(PartnerAgent agent, string token, string eventId) =>
        await SandboxFlow.ReadAsync<DeliveryLog>(await agent.CallAsync(HttpMethod.Get, $"/v1/open-banking/events/{eventId}/deliveries", token));
}
