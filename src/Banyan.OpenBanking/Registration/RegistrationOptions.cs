using Banyan.OpenBanking.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Registration;

/// <summary>An issuer of software statements the bank trusts (e.g. a directory), with its public keys.</summary>
internal sealed record TrustedIssuer(string Issuer, IReadOnlyList<JsonWebKey> Keys);

/// <summary>
/// <c>Banyan:OpenBanking:Registration:TrustedIssuers:{n}:Issuer</c> and <c>…:Jwks</c> (a JWKS document as a
/// string: 1–10 public EC P-256 / RSA ≥ 2048 keys with <c>kid</c>). At most 10 issuers; none configured means
/// only initial access tokens (admin, sandbox registrations) can register.
/// </summary>
internal sealed record RegistrationOptions(IReadOnlyList<TrustedIssuer> TrustedIssuers)
{
    public const string Section = "Banyan:OpenBanking:Registration:TrustedIssuers";
    private const int MaxIssuers = 10;

    public static RegistrationOptions From(IConfiguration configuration)
    {
        var issuers = new List<TrustedIssuer>();
        foreach (var child in configuration.GetSection(Section).GetChildren())
        {
            var issuer = child["Issuer"];
            var keys = Jose.ParseKeySet(child["Jwks"] ?? "", out var error);
            if (string.IsNullOrWhiteSpace(issuer) || issuer.Length > 256 || error is not null)
            {
                throw new InvalidOperationException($"{Section}:{child.Key} needs an Issuer (≤ 256 characters) and a valid Jwks: {error}");
            }

            issuers.Add(new TrustedIssuer(issuer, keys));
        }

        return issuers.Count > MaxIssuers
            ? throw new InvalidOperationException($"{Section}: at most {MaxIssuers} trusted issuers.")
            : new RegistrationOptions(issuers);
    }
}
