using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.OpenBanking.Security;

/// <summary>
/// DPoP proof keys seen recently, keyed by the exact <c>jwk</c> JSON of the proof header: the key checks
/// (public, EC P-256 or RSA ≥ 2048), the RFC 7638 thumbprint and the imported public key are computed once
/// per key instead of once per request (decision 0620). The same JSON text always denotes the same key, so
/// a hit gives exactly what a fresh parse would. Only public keys are held; the cache is bounded.
/// </summary>
internal sealed class ProofKeys
{
    /// <summary>Distinct keys kept; beyond this the cache starts over (an attacker minting keys only costs itself parses).</summary>
    public const int Capacity = 10_000;

    /// <summary>Longest <c>jwk</c> JSON accepted (an RSA-4096 JWK is about 800 characters).</summary>
    public const int MaxJwkLength = 4_096;

    private readonly ConcurrentDictionary<string, Entry> _keys = new(StringComparer.Ordinal);

    public int Count => _keys.Count;

    /// <summary>The checked key for <paramref name="jwkJson"/>, or an error saying why it is unacceptable.</summary>
    public (Entry? Key, string? Error) Resolve(string jwkJson)
    {
        if (_keys.TryGetValue(jwkJson, out var cached))
        {
            return (cached, null);
        }

        if (jwkJson.Length > MaxJwkLength)
        {
            return (null, "DPoP jwk: too large");
        }

        JsonWebKey jwk;
        try
        {
            jwk = new JsonWebKey(jwkJson);
        }
        catch (ArgumentException)
        {
            return (null, "DPoP jwk: not a JSON Web Key");
        }

        if (Jose.CheckPublicKey(jwk, requireKid: false) is { } keyError)
        {
            return (null, "DPoP jwk: " + keyError);
        }

        Entry entry;
        try
        {
            entry = new Entry(jwk, Jose.Thumbprint(jwk));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return (null, "DPoP jwk: not a valid public key");
        }

        if (_keys.Count >= Capacity)
        {
            _keys.Clear();
        }

        return (_keys.GetOrAdd(jwkJson, entry), null);
    }

    /// <summary>One accepted public key: its thumbprint and a small pool of imported verifiers.</summary>
    internal sealed class Entry
    {
        // Crypto objects are not documented as thread-safe: each verification borrows its own instance.
        private const int PoolSize = 8;
        private readonly ConcurrentBag<AsymmetricAlgorithm> _pool = [];
        private readonly JsonWebKey _jwk;

        /// <summary>Imports the key once, so a point off the curve or a malformed modulus fails here, not per request.</summary>
        public Entry(JsonWebKey jwk, string thumbprint)
        {
            _jwk = jwk;
            Thumbprint = thumbprint;
            IsEc = jwk.Kty == "EC";
            _pool.Add(Import());
        }

        public string Thumbprint { get; }

        public bool IsEc { get; }

        /// <summary>Verifies an ES256 (IEEE P1363 r‖s) or PS256 signature over <paramref name="input"/>; the algorithm must fit the key type.</summary>
        public bool Verify(string alg, ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature)
        {
            var fits = (alg == SecurityAlgorithms.EcdsaSha256 && IsEc) || (alg == SecurityAlgorithms.RsaSsaPssSha256 && !IsEc);
            if (!fits || signature.IsEmpty)
            {
                return false;
            }

            var key = _pool.TryTake(out var pooled) ? pooled : Import();
            try
            {
                return key is ECDsa ec
                    ? signature.Length == 64 && ec.VerifyData(input, signature, HashAlgorithmName.SHA256)
                    : ((RSA)key).VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            }
            finally
            {
                if (_pool.Count < PoolSize)
                {
                    _pool.Add(key);
                }
                else
                {
                    key.Dispose();
                }
            }
        }

        private AsymmetricAlgorithm Import() => IsEc
            ? ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(_jwk.X), Y = Base64UrlEncoder.DecodeBytes(_jwk.Y) },
            })
            : RSA.Create(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(_jwk.N), Exponent = Base64UrlEncoder.DecodeBytes(_jwk.E) });
    }
}
