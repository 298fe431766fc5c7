using System.Net;
using System.Text;

namespace Banyan.Ledger.Http.Tests;

/// <summary>Every kind of bad input is a 400 problem naming the event and field, and applies nothing.</summary>
[Collection(LedgerHostCollection.Name)]
public sealed class BadInputTests(LedgerHostFixture host)
{
    /// <summary>Bad transfer events; each is sent after a valid event, so "nothing applied" is checkable.</summary>
    public static TheoryData<string, string> BadTransfers => new()
    {
        { """{"id":"abc"}""", "id" },
        { """{"id":"-1"}""", "id" },
        { """{"id":"1.5"}""", "id" },
        { """{"id":""}""", "id" },
        { """{"id":12}""", "id" },
        { """{"id":"340282366920938463463374607431768211456"}""", "id" },
        { """{"id":"1","amount":"1e3"}""", "amount" },
        { """{"id":"1","amount":"+5"}""", "amount" },
        { """{"id":"1","amount":" 5"}""", "amount" },
        { """{"id":"1","debit_account_id":true}""", "debit_account_id" },
        { """{"id":"1","flags":["pending","teleport"]}""", "flags" },
        { """{"id":"1","flags":"pending"}""", "flags" },
        { """{"id":"1","ammount":"5"}""", "ammount" },
        { """{"id":"1","id":"2"}""", "id" },
        { """{"id":"1","ledger":-1}""", "ledger" },
        { """{"id":"1","ledger":4294967296}""", "ledger" },
        { """{"id":"1","code":65536}""", "code" },
        { """{"id":"1","code":1.5}""", "code" },
        { """{"id":"1","timeout":"10"}""", "timeout" },
        { """{"id":"1","user_data_64":"18446744073709551616"}""", "user_data_64" },
        { """{"id":"1","user_data_32":-7}""", "user_data_32" },
    };

    [Theory]
    [MemberData(nameof(BadTransfers))]
    public async Task Bad_transfer_field_is_a_400_naming_index_and_field_and_applies_nothing(string bad, string field)
    {
        var good = host.NextId();
        var (status, body, contentType) = await host.Api.PostJsonAsync("v1/ledger/accounts",
            $$"""[{"id":"{{good}}","ledger":1,"code":1}]""");
        Assert.Equal(200, status);
        var goodTransfer = host.NextId();

        (status, body, contentType) = await host.Api.PostJsonAsync("v1/ledger/transfers",
            $$"""[{"id":"{{goodTransfer}}","debit_account_id":"{{good}}","credit_account_id":"{{host.NextId()}}","amount":"1","ledger":1,"code":1},{{bad}}]""");

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(1, body.GetProperty("index").GetInt32());
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.Contains("events[1]", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (lookup, found, _) = await host.Api.PostJsonAsync("v1/ledger/transfers/lookup", $"[\"{goodTransfer}\"]");
        Assert.Equal(200, lookup);
        Assert.Equal(0, found.GetArrayLength());
    }

    public static TheoryData<string, string> BadAccounts => new()
    {
        { """{"id":"x","ledger":1,"code":1}""", "id" },
        { """{"id":"5","ledger":1,"code":1,"flags":["overdraft"]}""", "flags" },
        { """{"id":"5","ledger":1,"code":1,"colour":"red"}""", "colour" },
        { """{"id":"5","ledger":1,"code":-2}""", "code" },
        { """{"id":"5","ledger":1,"code":1,"debits_posted":5}""", "debits_posted" },
    };

    [Theory]
    [MemberData(nameof(BadAccounts))]
    public async Task Bad_account_field_is_a_400_and_no_account_of_the_batch_exists(string bad, string field)
    {
        var good = host.NextId();
        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/accounts", $$"""[{"id":"{{good}}","ledger":1,"code":1},{{bad}}]""");

        Assert.Equal(400, status);
        Assert.Equal(1, body.GetProperty("index").GetInt32());
        Assert.Equal(field, body.GetProperty("field").GetString());
        var (notFound, _, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{good}");
        Assert.Equal(404, notFound);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("\"transfers\"")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("[{\"id\":\"1\"}")]
    [InlineData("[{\"id\":\"1\"}] trailing")]
    [InlineData("[1,2]")]
    [InlineData("[[]]")]
    public async Task Body_that_is_not_an_array_of_objects_is_a_400_problem(string body)
    {
        foreach (var path in new[] { "v1/ledger/transfers", "v1/ledger/accounts" })
        {
            var (status, problem, contentType) = await host.Api.PostJsonAsync(path, body);
            Assert.Equal(400, status);
            Assert.Equal("application/problem+json", contentType);
            Assert.Contains("nothing was applied", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("[\"1\", 2]")]
    [InlineData("[\"1\", \"x\"]")]
    [InlineData("{\"ids\":[\"1\"]}")]
    public async Task Lookup_with_bad_ids_is_a_400_problem(string body)
    {
        var (status, _, contentType) = await host.Api.PostJsonAsync("v1/ledger/accounts/lookup", body);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Fact]
    public async Task More_than_8190_events_is_a_400_and_applies_nothing()
    {
        var first = host.NextId();
        var events = new StringBuilder($$"""[{"id":"{{first}}","ledger":1,"code":1}""");
        for (var i = 1; i < 8191; i++) events.Append($$""",{"id":"{{host.NextId()}}","ledger":1,"code":1}""");
        events.Append(']');

        var (status, body, _) = await host.Api.PostJsonAsync("v1/ledger/accounts", events.ToString());

        Assert.Equal(400, status);
        Assert.Equal(8190, body.GetProperty("index").GetInt32());
        var (notFound, _, _) = await host.Api.GetJsonAsync($"v1/ledger/accounts/{first}");
        Assert.Equal(404, notFound);
    }

    [Fact]
    public async Task Body_over_the_size_limit_is_a_413_problem()
    {
        var huge = "[" + new string(' ', 9 * 1024 * 1024) + "]";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("v1/ledger/transfers", UriKind.Relative))
        {
            Content = new StringContent(huge, Encoding.UTF8, "application/json"),
        };
        // The server answers before reading the body; 100-continue keeps the client from writing into a closed socket.
        request.Headers.ExpectContinue = true;
        using var response = await host.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
