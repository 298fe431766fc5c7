using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Banyan.OpenBanking.Events;

/// <summary>
/// Webhook signing (decision 0600), the Standard Webhooks scheme: headers <c>webhook-id</c> (the event id),
/// <c>webhook-timestamp</c> (unix seconds of this attempt) and <c>webhook-signature: v1,&lt;base64(HMAC-SHA256(key,
/// id + "." + timestamp + "." + body))&gt;</c>, where the key is the base64 part of the endpoint's
/// <c>whsec_…</c> secret. A receiver recomputes it over the exact body bytes, compares in constant time,
/// refuses timestamps more than five minutes off and remembers ids it has processed.
/// </summary>
internal static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>A fresh endpoint secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string eventId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Key(secret);
        var prefix = Encoding.UTF8.GetBytes(eventId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var input = new byte[prefix.Length + body.Length];
        prefix.CopyTo(input, 0);
        body.CopyTo(input.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, input));
    }

    /// <summary>
    /// What a receiver does: true when one of the space-separated <c>v1,…</c> signatures matches the body and the
    /// timestamp is within <see cref="Tolerance"/> of <paramref name="now"/>. (Replay of the same id is the receiver's to remember.)
    /// </summary>
    public static bool Verify(string secret, string eventId, string timestamp, string signatures, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, eventId, seconds, body));
        return signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }

    private static byte[] Key(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : throw new ArgumentException("a webhook secret starts with whsec_", nameof(secret));
}
