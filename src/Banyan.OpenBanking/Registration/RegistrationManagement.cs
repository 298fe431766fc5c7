using System.Security.Cryptography;
using System.Text.Json;
using Banyan.OpenBanking.Api;
using Banyan.OpenBanking.Security;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Banyan.OpenBanking.Registration;

/// <summary>
/// RFC 7592 update (<c>PUT /connect/register/{client_id}</c>) and delete (<c>DELETE …</c>) with the registration
/// access token (decision 0609). An update is the full metadata again, re-validated against the FAPI profile
/// exactly as a registration; new keys, new redirect URIs or a wider scope send an approved partner back to
/// <c>pending</c> with the matching checklist items to re-verify. The token is rotated on every update. A delete
/// disables the partner: its OAuth client, registration and webhooks are removed, its rows kept for audit.
/// </summary>
internal static class RegistrationManagement
{
    public const string Disabled = "disabled";
    private static readonly string[] ForbiddenMembers = ["registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret", "client_secret_expires_at", "software_statement"];

    public static async Task<Results<Ok<RegistrationView>, ProblemHttpResult>> UpdateAsync(string clientId, HttpContext http, Partners partners)
    {
        var (row, partner, problem) = await DynamicRegistration.AuthenticateAsync(clientId, http, partners);
        if (row is null)
        {
            return problem!;
        }

        var (request, invalid) = await DynamicRegistration.ReadBodyAsync(http.Request);
        if (request is null)
        {
            return invalid!;
        }

        // RFC 7592 §2.2: the client id must be the one issued; server-issued values are not the client's to send.
        if (!request.TryGetValue("client_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != clientId)
        {
            return DynamicRegistration.Error(ClientMetadata.InvalidClientMetadata, "client_id must be sent and equal the client being updated.");
        }

        if (ForbiddenMembers.FirstOrDefault(request.ContainsKey) is { } forbidden)
        {
            return DynamicRegistration.Error(ClientMetadata.InvalidClientMetadata, $"{forbidden} may not be sent in an update.");
        }

        var (metadata, error) = ClientMetadata.Parse(request);
        if (metadata is null)
        {
            return DynamicRegistration.Error(error!.Value.Code, error.Value.Description);
        }

        var token = "rat_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var changed = await ApplyAsync(http, partner!, row, metadata, token);
        await AuditAsync(http, "partner_registration_updated", partner!, ("changed", changed.Count == 0 ? "nothing" : string.Join(' ', changed)));
        return TypedResults.Ok(DynamicRegistration.View(http, partner!, row) with { RegistrationAccessToken = token });
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string clientId, HttpContext http, Partners partners)
    {
        var (row, partner, problem) = await DynamicRegistration.AuthenticateAsync(clientId, http, partners);
        if (row is null)
        {
            return problem!;
        }

        await using var scope = http.RequestServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var ct = http.RequestAborted;
        // No new tokens (the OAuth client is gone), no guard pass (status), no token to manage it, nothing more sent to it.
        await db.Set<PartnerRow>().Where(p => p.Id == partner!.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, Disabled), ct);
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(clientId, ct) is { } application)
        {
            await applications.DeleteAsync(application, ct);
        }

        await db.Set<RegistrationRow>().Where(r => r.ClientId == clientId).ExecuteDeleteAsync(ct);
        await db.Set<WebhookEndpointRow>().Where(w => w.ClientId == clientId).ExecuteDeleteAsync(ct);
        partner!.Status = Disabled;
        await AuditAsync(http, "partner_disabled", partner, ("reason", "rfc7592_delete"));
        return TypedResults.NoContent();
    }

    /// <summary>Stores the new metadata and token; returns the names of what changed.</summary>
    private static async Task<List<string>> ApplyAsync(HttpContext http, PartnerRow partner, RegistrationRow row, ClientMetadata metadata, string token)
    {
        var redirects = string.Join(' ', metadata.RedirectUris);
        var scopes = string.Join(' ', metadata.Scopes);
        var jwks = metadata.Jwks.GetRawText();
        var widened = metadata.Scopes.Except(partner.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Any();
        var changed = new List<string>();
        var done = partner.ChecklistDone.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        Track(changed, "client_name", partner.Name != metadata.ClientName);
        Track(changed, "redirect_uris", partner.RedirectUris != redirects, done, "redirect_uris_verified");
        Track(changed, "jwks", !SameKeys(partner.Jwks, jwks), done, "keys_verified");
        Track(changed, "scope", partner.Scopes != scopes, widened ? done : null, "security_review");
        Track(changed, "grant_types", row.GrantTypes != string.Join(' ', metadata.GrantTypes));
        var reapprove = partner.Status == "approved" && done.Count < partner.ChecklistDone.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

        (partner.Name, partner.RedirectUris, partner.Scopes, partner.Jwks, partner.ChecklistDone) = (metadata.ClientName, redirects, scopes, jwks, string.Join(' ', done));
        if (reapprove)
        {
            (partner.Status, partner.ApprovedAtUnixMs) = ("pending", null);
        }

        (row.SoftwareId, row.GrantTypes, row.TokenHash) = (metadata.SoftwareId, string.Join(' ', metadata.GrantTypes), Jose.HashOf(token));
        await using var scope = http.RequestServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        db.Update(partner);
        db.Update(row);
        await db.SaveChangesAsync(http.RequestAborted);
        await SyncClientAsync(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), partner, http.RequestAborted);
        return changed;
    }

    // A changed security-relevant value un-ticks the checklist item an operator must verify again.
    private static void Track(List<string> changed, string name, bool differs, List<string>? done = null, string? item = null)
    {
        if (!differs)
        {
            return;
        }

        changed.Add(name);
        if (done is not null && item is not null)
        {
            done.Remove(item);
        }
    }

    private static bool SameKeys(string a, string b)
    {
        using var x = JsonDocument.Parse(a);
        using var y = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(x.RootElement, y.RootElement);
    }

    /// <summary>An approved partner's OAuth client follows its registration (keys, redirect URIs, scopes, name).</summary>
    private static async Task SyncClientAsync(IOpenIddictApplicationManager applications, PartnerRow partner, CancellationToken ct)
    {
        if (await applications.FindByClientIdAsync(partner.ClientId, ct) is not { } application)
        {
            return;
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, ct);
        descriptor.DisplayName = partner.Name;
        descriptor.JsonWebKeySet = new JsonWebKeySet(partner.Jwks);
        descriptor.RedirectUris.Clear();
        foreach (var uri in partner.RedirectUris.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        descriptor.Permissions.RemoveWhere(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal));
        foreach (var scope in partner.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        await applications.UpdateAsync(application, descriptor, ct);
    }

    private static async Task AuditAsync(HttpContext http, string action, PartnerRow partner, params (string Key, string Value)[] details)
    {
        var all = details.ToDictionary(d => d.Key, d => d.Value);
        all["client_id"] = partner.ClientId;
        all["status"] = partner.Status;
        await http.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(
            new AuditEntry("partner", action, "dcr:" + partner.ClientId, partner.Id, "succeeded", all), http.RequestAborted);
    }
}
