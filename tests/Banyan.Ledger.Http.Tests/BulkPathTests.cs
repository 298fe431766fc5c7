using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;

namespace Banyan.Ledger.Http.Tests;

/// <summary>The binary bulk path: raw 128-byte structs in, 4-byte result codes out.</summary>
[Collection(LedgerHostCollection.Name)]
public sealed class BulkPathTests(LedgerHostFixture host)
{
    private const string Transfers = "application/vnd.banyan.ledger.transfers.v1";
    private const string Accounts = "application/vnd.banyan.ledger.accounts.v1";

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await host.Api.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private static byte[] Bytes<T>(T[] items) where T : struct => MemoryMarshal.AsBytes(items.AsSpan()).ToArray();

    [Fact]
    public async Task Bulk_accounts_and_transfers_round_trip_with_per_event_codes()
    {
        var (a, b) = (host.NextId(), host.NextId());
        Account[] accounts =
        [
            new() { Id = a, Ledger = 1, Code = 1 },
            new() { Id = b, Ledger = 1, Code = 1, Flags = AccountFlags.DebitsMustNotExceedCredits },
            new() { Id = 0, Ledger = 1, Code = 1 },
        ];
        using (var response = await PostAsync("v1/ledger/accounts/bulk", Bytes(accounts), Accounts))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.banyan.ledger.results.v1", response.Content.Headers.ContentType?.MediaType);
            var codes = MemoryMarshal.Cast<byte, CreateAccountResult>(await response.Content.ReadAsByteArrayAsync()).ToArray();
            Assert.Equal([CreateAccountResult.Created, CreateAccountResult.Created, CreateAccountResult.IdMustNotBeZero], codes);
        }

        var (t1, t2) = (host.NextId(), host.NextId());
        Transfer[] transfers =
        [
            new() { Id = t1, DebitAccountId = a, CreditAccountId = b, Amount = 30, Ledger = 1, Code = 1 },
            new() { Id = t2, DebitAccountId = b, CreditAccountId = a, Amount = 31, Ledger = 1, Code = 1 },
        ];
        using (var response = await PostAsync("v1/ledger/transfers/bulk", Bytes(transfers), Transfers))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var codes = MemoryMarshal.Cast<byte, CreateTransferResult>(await response.Content.ReadAsByteArrayAsync()).ToArray();
            Assert.Equal([CreateTransferResult.Created, CreateTransferResult.ExceedsCredits], codes);
        }

        using var lookup = await PostAsync("v1/ledger/transfers/lookup/bulk", Bytes(new UInt128[] { t2, t1 }), "application/vnd.banyan.ledger.ids.v1");
        var found = MemoryMarshal.Cast<byte, Transfer>(await lookup.Content.ReadAsByteArrayAsync()).ToArray();
        Assert.Equal(t1, Assert.Single(found).Id);
        Assert.Equal((UInt128)30, found[0].Amount);
        Assert.NotEqual(0UL, found[0].Timestamp);
    }

    [Theory]
    [InlineData(127)]
    [InlineData(129)]
    [InlineData(8191 * 128)]
    public async Task Bulk_body_of_bad_length_is_a_400_problem(int length)
    {
        using var response = await PostAsync("v1/ledger/transfers/bulk", new byte[length], Transfers);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bulk_body_with_the_wrong_content_type_is_a_415_problem()
    {
        using var response = await PostAsync("v1/ledger/transfers/bulk", new byte[128], "application/octet-stream");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
