using System.Net;
using System.Text;

namespace Banyan.Ledger.Http.Tests;

[Collection(LedgerHostCollection.Name)]
public sealed class AuthorizationTests(LedgerHostFixture host)
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", "v1/ledger/accounts" },
        { "POST", "v1/ledger/transfers" },
        { "GET", "v1/ledger/accounts/1" },
        { "GET", "v1/ledger/transfers/1" },
        { "POST", "v1/ledger/accounts/lookup" },
        { "POST", "v1/ledger/transfers/lookup" },
        { "POST", "v1/ledger/transfers/bulk" },
        { "POST", "v1/ledger/accounts/bulk" },
    };

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST") request.Content = new StringContent("[]", Encoding.UTF8, "application/json");
        return request;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Call_without_a_token_is_a_401_problem(string method, string path)
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var request = Request(method, path);
        using var response = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Call_with_a_token_lacking_the_ledger_scope_is_a_403_problem(string method, string path)
    {
        using var admin = await host.ClientWithScopeAsync("admin");
        using var request = Request(method, path);
        using var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
