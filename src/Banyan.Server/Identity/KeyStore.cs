using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Banyan.Server.Identity;

/// <summary>
/// The token signing and encryption keys (decision 0002): RSA keys generated on first start and kept
/// as PEM files under <c>&lt;data&gt;/keys/</c>, readable only by the owner, so tokens survive restarts.
/// </summary>
internal static class KeyStore
{
    private const int RsaKeyBits = 2048;

    public static (RsaSecurityKey Signing, RsaSecurityKey Encryption) LoadOrCreate(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "keys");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return (Load(Path.Combine(directory, "signing.pem")), Load(Path.Combine(directory, "encryption.pem")));
    }

    private static RsaSecurityKey Load(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            rsa.KeySize = RsaKeyBits;
            SecretFile.WriteNew(path, rsa.ExportPkcs8PrivateKeyPem());
        }

        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var keyId = Base64UrlEncoder.Encode(SHA256.HashData(parameters.Modulus!))[..16];
        return new RsaSecurityKey(rsa) { KeyId = keyId };
    }
}

/// <summary>Writes files holding secrets with owner-only permissions (0600) from the first byte.</summary>
internal static class SecretFile
{
    public static void WriteNew(string path, string content) => Write(path, content, FileMode.CreateNew);

    public static void Replace(string path, string content)
    {
        // Write beside, then rename: a reader never sees a half-written file.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        Write(temporary, content, FileMode.CreateNew);
        File.Move(temporary, path, overwrite: true);
    }

    private static void Write(string path, string content, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
