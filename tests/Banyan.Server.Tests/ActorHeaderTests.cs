using System.Net;
using Banyan.Server.Tests.Support;

namespace Banyan.Server.Tests;

/// <summary>The staff console's actor header in the host pipeline, after its fast path for calls without it (decision 0620, third pass).</summary>
public sealed class ActorHeaderTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(extraModules: [new Banyan.StaffConsole.ConsoleModule()]);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_call_without_the_actor_header_goes_through()
    {
        using var api = await _host.AuthorizedClientAsync();
        using var ping = await api.GetAsync(new Uri("/v1/test/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task A_client_other_than_the_console_claiming_a_staff_actor_is_refused_with_a_problem()
    {
        using var api = await _host.AuthorizedClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/test/ping", UriKind.Relative));
        request.Headers.Add("Banyan-Staff-Actor", "alice");
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
