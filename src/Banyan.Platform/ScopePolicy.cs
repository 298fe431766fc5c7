namespace Banyan.Platform;

/// <summary>
/// Authorization policy names, one per OAuth2 scope. The host registers a policy for every scope a
/// module declares; endpoints call <c>.RequireAuthorization(ScopePolicy.For("ledger"))</c>.
/// </summary>
public static class ScopePolicy
{
    /// <summary>The platform-wide administrative scope.</summary>
    public const string Admin = "admin";

    /// <summary>The policy name that requires <paramref name="scope"/> in the access token.</summary>
    public static string For(string scope) => "scope:" + scope;
}
