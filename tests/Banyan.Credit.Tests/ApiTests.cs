using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Banyan.Credit.Registry;
using Banyan.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Banyan.Credit.Tests;

/// <summary>
/// Hosts the module the way the platform does (services, then endpoints on an authenticated /v1 group)
/// on an in-memory test server. Authentication is a test scheme: the "X-Test-Scopes" header lists the
/// caller's scopes; the scope policy requires the scope claim.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    public ApiHost()
    {
        Directory.CreateDirectory(DataDirectory);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var module = new CreditModule();
        module.ConfigureServices(builder.Services, new ModuleContext(builder.Configuration, DataDirectory, StorageProvider.Sqlite, builder.Environment));
        builder.Services.AddAuthentication("test").AddScheme<AuthenticationSchemeOptions, ScopeHeaderHandler>("test", _ => { });
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(ScopePolicy.For("credit"), p => p.RequireClaim("scope", "credit"));
            o.AddPolicy(ScopePolicy.For(ModelEndpoints.AdminScope), p => p.RequireClaim("scope", ModelEndpoints.AdminScope));
        });
        builder.Services.ConfigureHttpJsonOptions(o => Banyan.Platform.Http.BanyanJson.Apply(o.SerializerOptions)); // as the host does
        builder.Services.AddSingleton<RecordingAuditLog>();
        builder.Services.AddSingleton<Banyan.Platform.Security.IAuditLog>(sp => sp.GetRequiredService<RecordingAuditLog>());
        app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        module.MapEndpoints(app.MapGroup("/v1").RequireAuthorization());
        app.StartAsync().GetAwaiter().GetResult();
        Client = app.GetTestClient();
        Client.DefaultRequestHeaders.Add("X-Test-Scopes", "credit");
    }

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "banyan-credit-api-" + Guid.NewGuid().ToString("N")[..8]);
    public HttpClient Client { get; }
    internal ModelRegistry Registry => app.Services.GetRequiredService<ModelRegistry>();
    public IServiceProvider Services => app.Services;
    /// <summary>A client with its own scopes and OAuth client id (the caller the API records as actor).</summary>
    public HttpClient ClientFor(string scopes, string clientId)
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Test-Scopes", scopes);
        client.DefaultRequestHeaders.Add("X-Test-Client", clientId);
        return client;
    }

    internal RecordingAuditLog Audit => app.Services.GetRequiredService<RecordingAuditLog>();

    public string DecisionsDirectory => Path.Combine(DataDirectory, "credit", "decisions");

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    private sealed class ScopeHeaderHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("X-Test-Scopes", out var scopes)) return Task.FromResult(AuthenticateResult.NoResult());
            var claims = scopes.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim("scope", s)).ToList();
            if (Request.Headers.TryGetValue("X-Test-Client", out var client)) claims.Add(new Claim("client_id", client.ToString()));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, "test")));
        }
    }
}

public class ApiTests(ApiHost host) : IClassFixture<ApiHost>
{
    private static readonly object Applicant = new Dictionary<string, object?>
    {
        ["checking_status"] = "<0", ["duration"] = 48, ["credit_history"] = "existing paid", ["purpose"] = "radio/tv",
        ["credit_amount"] = 5951, ["savings_status"] = "<100", ["employment"] = "1<=X<4", ["age"] = 22,
    };

    private int StoredDecisions() => Directory.Exists(host.DecisionsDirectory) ? Directory.GetFiles(host.DecisionsDirectory).Length : 0;

    private string ApprovedVersion()
    {
        var approved = host.Registry.List().FirstOrDefault(e => e.Status == ModelStatus.Approved);
        if (approved is not null) return approved.Version;
        var entry = host.Registry.Register(SmallModels.Fair);
        return host.Registry.Approve(entry.Version, "risk committee").Version;
    }

    [Fact]
    public async Task An_application_gets_a_stored_decision_with_an_explanation_that_adds_up()
    {
        var version = ApprovedVersion();
        var response = await host.Client.PostAsJsonAsync("/v1/credit/applications", new { applicant = Applicant, language = "zh-CN", amount_requested = 595_100 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(version, root.GetProperty("model_version").GetString());
        Assert.Contains(root.GetProperty("decision").GetString(), new[] { "approve", "decline", "refer" });
        var sum = root.GetProperty("base_value").GetDouble() + root.GetProperty("contributions").EnumerateObject().Sum(c => c.Value.GetDouble());
        Assert.Equal(root.GetProperty("margin").GetDouble(), sum, 1e-9);
        Assert.Contains("分", root.GetProperty("reasons")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("22", root.GetProperty("inputs").GetProperty("age").GetString());
        Assert.Equal(595_100, root.GetProperty("amount_requested").GetInt64());
        if (root.GetProperty("decision").GetString() == "decline")
            Assert.False(root.TryGetProperty("limit", out _));
        else
        {
            Assert.InRange(root.GetProperty("limit").GetInt64(), 1, 595_100);
            Assert.True(root.GetProperty("price_bps").GetInt32() > 500);
        }

        var stored = await host.Client.GetStringAsync($"/v1/credit/applications/{root.GetProperty("id").GetString()}");
        using var again = JsonDocument.Parse(stored);
        Assert.Equal(root.GetProperty("probability_bad").GetDouble(), again.RootElement.GetProperty("probability_bad").GetDouble());
    }

    [Theory]
    [InlineData("{\"applicant\": {\"no_such_input\": 1}}")]
    [InlineData("{\"applicant\": {\"duration\": [1, 2]}}")]
    [InlineData("{\"applicant\": 5}")]
    [InlineData("{\"applicant\": {}, \"language\": \"fr\"}")]
    [InlineData("{not json")]
    [InlineData("{\"applicant\": {}, \"amount_requested\": -5}")]
    [InlineData("{\"applicant\": {}, \"amount_requested\": 12.5}")]
    [InlineData("{\"applicant\": {}, \"amount_requested\": \"100\"}")]
    public async Task Bad_input_is_a_400_problem_and_stores_nothing(string body)
    {
        ApprovedVersion();
        var before = StoredDecisions();
        var response = await host.Client.PostAsync("/v1/credit/applications", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Matches("(validation|bad-request)$", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(before, StoredDecisions());
    }

    [Fact]
    public async Task An_oversized_application_is_a_413_problem_and_stores_nothing()
    {
        ApprovedVersion();
        var before = StoredDecisions();
        var padding = new string('x', CreditEndpoints.MaxBodyBytes);
        var response = await host.Client.PostAsJsonAsync("/v1/credit/applications", new { applicant = Applicant, padding });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, StoredDecisions());
    }

    [Fact]
    public async Task Scoring_with_a_draft_model_is_refused_with_a_409_problem()
    {
        ApprovedVersion();
        var draft = host.Registry.Register(SmallModels.Fair with { TrainingRows = 999 });
        var before = StoredDecisions();
        var response = await host.Client.PostAsJsonAsync("/v1/credit/applications", new { model_version = draft.Version, applicant = Applicant });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.EndsWith("conflict", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, StoredDecisions());
    }

    [Fact]
    public async Task An_unknown_decision_is_a_404_problem_and_the_scope_is_required()
    {
        var missing = await host.Client.GetAsync("/v1/credit/applications/" + new string('0', 32));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "/v1/credit/applications") { Content = JsonContent.Create(new { applicant = Applicant }) };
        anonymous.Headers.Add("X-Test-Scopes", "ledger");
        var forbidden = await host.Client.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}

public sealed class DemoTests : IAsyncDisposable
{
    private readonly ApiHost host = new();

    public ValueTask DisposeAsync() => host.DisposeAsync();

    [Fact]
    public async Task Demo_seeds_one_approved_model_idempotently_and_walks_through_the_api()
    {
        var module = new CreditModule();
        await module.SeedDemoAsync(host.Services, CancellationToken.None);
        await module.SeedDemoAsync(host.Services, CancellationToken.None);
        var entry = Assert.Single(host.Registry.List());
        Assert.Equal((ModelStatus.Approved, "demo risk committee"), (entry.Status, entry.ApprovedBy));

        using var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
        await module.RunDemoAsync(new DemoContext(host.Client, console, host.Services), CancellationToken.None);
        Assert.Contains("P(bad)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("使您的评分", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("limit ", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(host.DecisionsDirectory).Length);
    }
}
