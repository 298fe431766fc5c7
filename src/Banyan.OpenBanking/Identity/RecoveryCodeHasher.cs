using Banyan.OpenBanking.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Banyan.OpenBanking.Identity;

/// <summary>
/// Hashes recovery codes with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512,
/// 128-bit random salt per code) at <see cref="Iterations"/> iterations — fewer than for passwords because a
/// code is machine-generated with about 47 bits of entropy, not chosen by a person, and verifying a login
/// may try all ten (decision 0610). Codes are compared in a canonical form: upper case, no dashes or spaces.
/// </summary>
internal sealed class RecoveryCodeHasher
{
    /// <summary>How many codes a customer gets (and at most holds).</summary>
    public const int MaxCodes = 10;

    /// <summary>PBKDF2 iterations per code.</summary>
    public const int Iterations = 20_000;

    private readonly PasswordHasher<Customer> _hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = Iterations,
    }));

    public string Hash(Customer customer, string code) => _hasher.HashPassword(customer, Canonical(code) ?? throw new ArgumentException("Not a recovery code.", nameof(code)));

    public bool Matches(Customer customer, string hash, string code) =>
        Canonical(code) is { } canonical && _hasher.VerifyHashedPassword(customer, hash, canonical) != PasswordVerificationResult.Failed;

    /// <summary>True when <paramref name="input"/> has the shape of a recovery code (so the login tries it as one, not as TOTP).</summary>
    public static bool LooksLikeCode(string? input) => Canonical(input) is not null;

    /// <summary>Upper case without dashes or spaces when 8–16 ASCII letters and digits remain; otherwise null.</summary>
    public static string? Canonical(string? input)
    {
        if (input is null || input.Length > 32)
        {
            return null;
        }

        var chars = input.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant).ToArray();
        return chars.Length is >= 8 and <= 16 && chars.All(char.IsAsciiLetterOrDigit) ? new string(chars) : null;
    }
}
