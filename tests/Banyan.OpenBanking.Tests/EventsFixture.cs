using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Sandbox;
using Banyan.OpenBanking.Security;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Tests;

/// <summary>
/// A host whose webhook dispatcher retries fast (40 ms base, 4 attempts, 25 ms poll) and which trusts one
/// software-statement issuer (<see cref="DirectoryIssuer"/>, key <see cref="Directory"/>). Tests onboard their own partners.
/// </summary>
public sealed class EventsFixture : IAsyncLifetime
{
    public const string DirectoryIssuer = "https://directory.test";
    public const string DirectoryKid = "dir-1";
    public const int MaxAttempts = 4;

    internal OpenBankingHost Host { get; private set; } = null!;

    internal ECDsa Directory { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public async Task InitializeAsync()
    {
        var jwks = JsonSerializer.Serialize(new { keys = new[] { Jose.PublicJwk(Directory, DirectoryKid) } });
        Host = await OpenBankingHost.StartAsync(
            "--Banyan:OpenBanking:Webhooks:BaseDelayMs=40", "--Banyan:OpenBanking:Webhooks:MaxDelayMs=2000",
            $"--Banyan:OpenBanking:Webhooks:MaxAttempts={MaxAttempts}", "--Banyan:OpenBanking:Webhooks:PollIntervalMs=25",
            // The receivers listen on http://127.0.0.1 in this process; a production-environment host refuses that by default.
            "--Banyan:OpenBanking:Webhooks:AllowLoopback=true",
            $"--Banyan:OpenBanking:Registration:TrustedIssuers:0:Issuer={DirectoryIssuer}",
            $"--Banyan:OpenBanking:Registration:TrustedIssuers:0:Jwks={jwks}",
            // These tests onboard many partners with one admin client and poll delivery logs: the abnormal-call
            // detector would rightly call that scraping and bursts. Its rules are the gateway's tests' subject.
            "--Banyan:Gateway:Detector:MaxDistinctResources=100000", "--Banyan:Gateway:Detector:BurstFloorPerSecond=100000",
            "--Banyan:Gateway:Detector:BurstFactor=100000");
    }

    public async Task DisposeAsync()
    {
        Directory.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>A freshly onboarded, approved sandbox partner (the caller disposes it).</summary>
    internal async Task<(PartnerAgent Agent, PartnerView Partner)> PartnerAsync(string name)
    {
        var agent = Host.NewAgent();
        return (agent, await SandboxFlow.OnboardAsync(Host.Admin, agent, name));
    }

    /// <summary>A compact JWS (ES256) over <paramref name="claims"/>, as a directory would issue a software statement.</summary>
    internal static string SignStatement(ECDsa key, string kid, object claims)
    {
        var header = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", typ = "JWT", kid }));
        var payload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256);
        return header + "." + payload + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds (a 30 s safety net, never a timing assertion).</summary>
    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"gave up waiting for {what}; last value: {JsonSerializer.Serialize(value)}");
            }

            await Task.Delay(50);
        }
    }

    internal static CreateAccountAccessConsent ReadAccounts => new(["read_accounts"], null, 4);
}
