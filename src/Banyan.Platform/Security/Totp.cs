using System.Security.Cryptography;

namespace Banyan.Platform.Security;

/// <summary>
/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps, six
/// digits — what every authenticator app speaks. Verification accepts the current step and one step
/// either side (clock drift), and only steps <b>after</b> the last one the caller accepted, so a code is
/// never accepted twice (the caller stores the returned step). Used by customer and staff login.
/// </summary>
public static class Totp
{
    /// <summary>Seconds per step.</summary>
    public const int StepSeconds = 30;

    /// <summary>Digits per code.</summary>
    public const int Digits = 6;

    /// <summary>Secret length in bytes (160 bits, RFC 4226's recommendation).</summary>
    public const int SecretBytes = 20;

    /// <summary>A new random secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>The step number of an instant.</summary>
    public static long StepAt(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code for a step, zero-padded to <see cref="Digits"/> digits.</summary>
    public static string Compute(ReadOnlySpan<byte> secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        // RFC 6238's default and the only algorithm authenticator apps reliably support; HMAC-SHA1 is not
        // weakened by SHA-1's collision attacks, and a code lives for 30 seconds.
#pragma warning disable CA5350
        HMACSHA1.HashData(secret, counter, mac);
#pragma warning restore CA5350
        var offset = mac[^1] & 0x0F;
        var binary = ((mac[offset] & 0x7F) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Checks <paramref name="code"/> at <paramref name="now"/> (±1 step). Returns the matched step, or
    /// <see langword="null"/> when the code is wrong, malformed, or belongs to a step at or before
    /// <paramref name="lastAcceptedStep"/> (a replay). Store the returned step as the new last accepted one.
    /// </summary>
    public static long? Verify(ReadOnlySpan<byte> secret, string? code, DateTimeOffset now, long lastAcceptedStep)
    {
        if (code is not { Length: Digits } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var current = StepAt(now);
        long? matched = null;
        for (var step = current - 1; step <= current + 1; step++)
        {
            // Compare every candidate in constant time and do not stop early: timing says nothing about which step matched.
            var candidate = Compute(secret, step);
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(candidate), System.Text.Encoding.ASCII.GetBytes(code)) && step > lastAcceptedStep)
            {
                matched ??= step;
            }
        }

        return matched;
    }

    /// <summary>The <c>otpauth://</c> URI an authenticator app scans (issuer and account are URI-escaped).</summary>
    public static string ProvisioningUri(string issuer, string account, ReadOnlySpan<byte> secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(account)}?secret={Base32(secret)}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";

    /// <summary>RFC 4648 base32 without padding (what authenticator apps expect for the secret).</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new System.Text.StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            output.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return output.ToString();
    }
}
