using System.Net;
using Banyan.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Banyan.Server.Tests;

/// <summary>The real entry point with the real module list, through WebApplicationFactory.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task Program_with_all_modules_starts_under_WebApplicationFactory_and_grants_module_scopes()
    {
        var directory = TestHost.NewDataDirectory();
        try
        {
            await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Banyan:DataDirectory", directory));
            using var client = factory.CreateClient();
            using var health = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var file = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "bootstrap-client.json"))).RootElement;
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = file.GetProperty("client_id").GetString()!,
                ["client_secret"] = file.GetProperty("client_secret").GetString()!,
                ["scope"] = "ledger",
            });
            using var token = await client.PostAsync(new Uri("/connect/token", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TestHost.TryDelete(directory);
        }
    }
}
