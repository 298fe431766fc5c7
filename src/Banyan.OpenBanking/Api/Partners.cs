using System.Globalization;
using System.Security.Cryptography;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Api;

/// <summary>
/// Partner registration and approval (issue 5 item 2): a partner registers with its public keys, redirect
/// URIs and scopes; an operator works through the onboarding checklist and approves; approval creates the
/// OAuth client (private_key_jwt only, PAR and PKCE required). Every change is audited.
/// </summary>
internal sealed class Partners(IServiceScopeFactory scopes, TimeProvider time, IAuditLog audit)
{
    /// <summary>What an operator must tick before approval.</summary>
    public static readonly string[] Checklist = ["terms_accepted", "identity_verified", "keys_verified", "redirect_uris_verified", "security_review"];

    /// <summary>Scopes a partner may hold.</summary>
    public static readonly string[] PartnerScopes = [OpenBankingScopes.Accounts, OpenBankingScopes.Payments, OpenBankingScopes.Onboarding];

    public async Task<PartnerRow> RegisterAsync(RegisterPartner body, string actor, CancellationToken cancellationToken)
    {
        var row = new PartnerRow
        {
            Id = "ptn_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            Name = body.Name.Trim(),
            Sandbox = body.Sandbox,
            ClientId = "obc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Jwks = body.Jwks.GetRawText(),
            RedirectUris = string.Join(' ', body.RedirectUris),
            Scopes = string.Join(' ', body.Scopes.Distinct(StringComparer.Ordinal)),
            RequireJws = body.RequireJwsSignature,
            CreatedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await AuditAsync("partner_registered", actor, row, cancellationToken);
        return row;
    }

    /// <summary>Validation errors of a registration, keyed by field; empty when valid.</summary>
    public static Dictionary<string, string[]> Validate(RegisterPartner body)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
        {
            errors["name"] = ["must be 1-200 characters"];
        }

        if (body.RedirectUris.Count is 0 or > 10 || body.RedirectUris.Any(u => !IsRedirectUri(u)))
        {
            errors["redirect_uris"] = ["1-10 absolute https URIs (http only for loopback), no fragment"];
        }

        if (body.Scopes.Count == 0 || body.Scopes.Any(s => !PartnerScopes.Contains(s)))
        {
            errors["scopes"] = ["one or more of " + string.Join(", ", PartnerScopes)];
        }

        if (body.Jwks.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            errors["jwks"] = ["must be a JWKS object"];
        }
        else
        {
            Jose.ParseKeySet(body.Jwks.GetRawText(), out var jwksError);
            if (jwksError is not null)
            {
                errors["jwks"] = [jwksError];
            }
        }

        return errors;
    }

    public async Task<PartnerRow?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<PartnerRow>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
    }

    public async Task<PartnerRow?> FindByClientAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<PartnerRow>().AsNoTracking().FirstOrDefaultAsync(p => p.ClientId == clientId, cancellationToken);
    }

    /// <summary>Ticks a checklist item; null when the partner does not exist.</summary>
    public async Task<PartnerRow?> CompleteItemAsync(string id, string item, string actor, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var row = await db.Set<PartnerRow>().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var done = row.ChecklistDone.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (done.Add(item))
        {
            row.ChecklistDone = string.Join(' ', Checklist.Where(done.Contains));
            await db.SaveChangesAsync(cancellationToken);
            await AuditAsync("partner_checklist_item_done", actor, row, cancellationToken, ("item", item));
        }

        return row;
    }

    /// <summary>Approves a partner whose checklist is complete and creates its OAuth client. Returns the error, or null.</summary>
    public async Task<string?> ApproveAsync(PartnerRow partner, string actor, CancellationToken cancellationToken)
    {
        var missing = Checklist.Except(partner.ChecklistDone.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        if (missing.Length > 0)
        {
            return "checklist items not done: " + string.Join(", ", missing);
        }

        await using var scope = scopes.CreateAsyncScope();
        await CreateClientAsync(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), partner, cancellationToken);
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var changed = await db.Set<PartnerRow>().Where(p => p.Id == partner.Id && p.Status == "pending")
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, "approved").SetProperty(p => p.ApprovedAtUnixMs, now), cancellationToken);
        if (changed == 1)
        {
            partner.Status = "approved";
            partner.ApprovedAtUnixMs = now;
            await AuditAsync("partner_approved", actor, partner, cancellationToken);
        }

        return null;
    }

    private static async Task CreateClientAsync(IOpenIddictApplicationManager applications, PartnerRow partner, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(partner.ClientId, cancellationToken) is not null)
        {
            return;
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = partner.ClientId,
            ClientType = ClientTypes.Confidential,
            DisplayName = partner.Name,
            JsonWebKeySet = new JsonWebKeySet(partner.Jwks),
        };
        foreach (var uri in partner.RedirectUris.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        descriptor.Permissions.UnionWith([
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.PushedAuthorization,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.ClientCredentials, Permissions.ResponseTypes.Code]);
        foreach (var scope in partner.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        descriptor.Requirements.UnionWith([Requirements.Features.ProofKeyForCodeExchange, Requirements.Features.PushedAuthorizationRequests]);
        await applications.CreateAsync(descriptor, cancellationToken);
    }

    internal static bool IsRedirectUri(string value) =>
        value.Length <= 512 && Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    private ValueTask<long> AuditAsync(string action, string actor, PartnerRow row, CancellationToken cancellationToken, params (string Key, string Value)[] extra)
    {
        var details = new Dictionary<string, string>
        {
            ["client_id"] = row.ClientId,
            ["status"] = row.Status,
            ["sandbox"] = row.Sandbox.ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
        };
        foreach (var (key, value) in extra)
        {
            details[key] = value;
        }

        return audit.AppendAsync(new AuditEntry("partner", action, actor, row.Id, "succeeded", details), cancellationToken);
    }
}

/// <summary>The open-banking OAuth scopes partners hold (docs/open-banking.md).</summary>
internal static class OpenBankingScopes
{
    /// <summary>Account information: account-access consents, accounts, balances, transactions.</summary>
    public const string Accounts = "ob-accounts";

    /// <summary>Payment initiation: domestic payment consents, payments, funds confirmation.</summary>
    public const string Payments = "ob-payments";

    /// <summary>Embedded onboarding: open customers from signed identity assertions.</summary>
    public const string Onboarding = "ob-onboarding";
}
