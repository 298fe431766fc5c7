using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Banyan.Server.Storage;
using Banyan.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.Server.Tests;

public sealed class IdempotencyTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _api = await _host.AuthorizedClientAsync();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Same_key_and_body_replays_the_first_response_without_running_again()
    {
        using var first = await PostAsync(_api, "/v1/test/echo", """{"text": "hello", "amount_minor": 5}""", "key-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));

        using var second = await PostAsync(_api, "/v1/test/echo", """{"text": "hello", "amount_minor": 5}""", "key-1");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal("application/json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, _host.Module.Created);
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_a_422_problem_and_changes_nothing()
    {
        using var first = await PostAsync(_api, "/v1/test/echo", """{"text": "hello", "amount_minor": 5}""", "key-2");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var second = await PostAsync(_api, "/v1/test/echo", """{"text": "hello", "amount_minor": 6}""", "key-2");
        await Problems.AssertProblemAsync(second, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(1, _host.Module.Created);
    }

    [Fact]
    public async Task Without_a_key_every_post_runs()
    {
        for (var i = 0; i < 2; i++)
        {
            using var response = await PostAsync(_api, "/v1/test/echo", """{"text": "again", "amount_minor": 1}""", key: null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(2, _host.Module.Created);
    }

    [Fact]
    public async Task Invalid_key_is_a_400_problem()
    {
        using var tooLong = await PostAsync(_api, "/v1/test/echo", """{"text": "a", "amount_minor": 1}""", new string('k', 256));
        await Problems.AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, "invalid-idempotency-key");
        using var withSpace = await PostAsync(_api, "/v1/test/echo", """{"text": "a", "amount_minor": 1}""", "has space");
        await Problems.AssertProblemAsync(withSpace, HttpStatusCode.BadRequest, "invalid-idempotency-key");
        Assert.Equal(0, _host.Module.Created);
    }

    [Fact]
    public async Task Retry_while_the_first_request_is_running_is_a_409_problem()
    {
        var slow = PostAsync(_api, "/v1/test/slow", "{}", "key-slow");
        await _host.Module.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var duplicate = await PostAsync(_api, "/v1/test/slow", "{}", "key-slow"))
        {
            await Problems.AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "idempotency-in-flight");
        }

        _host.Module.Release.SetResult();
        using var first = await slow;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var replay = await PostAsync(_api, "/v1/test/slow", "{}", "key-slow");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Error_responses_release_the_key_so_a_corrected_retry_with_the_same_key_runs()
    {
        using var rejected = await PostAsync(_api, "/v1/test/echo", """{"text": "a", "amount_minor": }""", "key-3");
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);

        using var invalid = await PostAsync(_api, "/v1/test/echo", """{"text": "", "amount_minor": 1}""", "key-3");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(0, _host.Module.Created);

        using var corrected = await PostAsync(_api, "/v1/test/echo", """{"text": "a", "amount_minor": 1}""", "key-3");
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, _host.Module.Created);
    }

    [Fact]
    public async Task Keys_are_scoped_by_client()
    {
        using var first = await PostAsync(_api, "/v1/test/echo", """{"text": "mine", "amount_minor": 1}""", "shared-key");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        await using (var scope = _host.App.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var descriptor = new OpenIddictApplicationDescriptor { ClientId = "other", ClientSecret = "other-secret", ClientType = ClientTypes.Confidential };
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + "test"]);
            await applications.CreateAsync(descriptor);
        }

        using var token = await _host.RequestTokenAsync("other", "other-secret", "test");
        var accessToken = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var other = new HttpClient { BaseAddress = _host.Client.BaseAddress };
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var second = await PostAsync(other, "/v1/test/echo", """{"text": "theirs", "amount_minor": 1}""", "shared-key");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, _host.Module.Created);

        await using var db = await _host.App.Services.GetRequiredService<IDbContextFactory<BanyanDbContext>>().CreateDbContextAsync();
        Assert.Equal(2, await db.IdempotencyRecords.CountAsync(r => r.Key == "shared-key"));
    }

    [Fact]
    public async Task Keys_expire_after_24_hours_and_expired_records_are_purged()
    {
        var time = new ManualTime();
        await using var host = await TestHost.StartAsync(time: time);
        // Tokens live an hour on the same clock, so each step signs in again.
        using (var api = await host.AuthorizedClientAsync())
        {
            using var first = await PostAsync(api, "/v1/test/echo", """{"text": "day one", "amount_minor": 1}""", "daily");
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        time.Advance(TimeSpan.FromHours(23));
        using (var api = await host.AuthorizedClientAsync())
        {
            using var sameDay = await PostAsync(api, "/v1/test/echo", """{"text": "day two", "amount_minor": 1}""", "daily");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, sameDay.StatusCode);
        }

        time.Advance(TimeSpan.FromHours(2));
        var store = host.App.Services.GetRequiredService<Banyan.Server.Http.IdempotencyStore>();
        Assert.Equal(1, await store.DeleteExpiredAsync(CancellationToken.None));

        using var later = await host.AuthorizedClientAsync();
        using var reused = await PostAsync(later, "/v1/test/echo", """{"text": "day two", "amount_minor": 1}""", "daily");
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        Assert.Equal(2, host.Module.Created);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await client.SendAsync(request);
    }
}
