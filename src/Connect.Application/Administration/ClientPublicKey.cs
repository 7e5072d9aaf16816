using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Connect.Domain.Applications;

namespace Connect.Application.Administration;

/// <summary>
/// A client-auth public key as registered: RSA, at least 2048 bits, kept as SubjectPublicKeyInfo (DER), and
/// named by its RFC 7638 JWK thumbprint.
/// </summary>
public sealed class ClientPublicKey
{
    public const int MinimumBits = 2048;

    private ClientPublicKey(KeyId id, byte[] subjectPublicKeyInfo, int bits)
    {
        Id = id;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        Bits = bits;
    }

    public KeyId Id { get; }

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    public int Bits { get; }

    /// <summary>Reads a <c>-----BEGIN PUBLIC KEY-----</c> PEM.</summary>
    /// <exception cref="ArgumentException">Not an SPKI PEM, not RSA, or smaller than 2048 bits; the message says which.</exception>
    public static ClientPublicKey FromPem(string pem) =>
        TryFromPem(pem, out var key, out var problem) ? key : throw new ArgumentException(problem, nameof(pem));

    /// <exception cref="ArgumentException">Not an RSA SubjectPublicKeyInfo of at least 2048 bits.</exception>
    public static ClientPublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der) =>
        TryFromSubjectPublicKeyInfo(der, out var key, out var problem) ? key : throw new ArgumentException(problem, nameof(der));

    /// <summary>Reads a <c>-----BEGIN PUBLIC KEY-----</c> PEM, or says in plain English why it is not acceptable.</summary>
    public static bool TryFromPem(
        string pem, [NotNullWhen(true)] out ClientPublicKey? key, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        // A private key, a certificate or an RSA PUBLIC KEY (PKCS#1) is refused rather than guessed at.
        if (!PemEncoding.TryFind(pem, out var fields)
            || !pem.AsSpan(fields.Label).SequenceEqual("PUBLIC KEY"))
        {
            key = null;
            problem = "not a PEM public key (expected -----BEGIN PUBLIC KEY-----)";
            return false;
        }

        return TryFromSubjectPublicKeyInfo(Convert.FromBase64String(pem[fields.Base64Data]), out key, out problem);
    }

    /// <summary>Reads an RSA SubjectPublicKeyInfo (DER), or says in plain English why it is not acceptable.</summary>
    public static bool TryFromSubjectPublicKeyInfo(
        ReadOnlySpan<byte> der, [NotNullWhen(true)] out ClientPublicKey? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                problem = "the public key has trailing bytes";
                return false;
            }
        }
        catch (CryptographicException)
        {
            problem = "not an RSA public key";
            return false;
        }

        if (rsa.KeySize < MinimumBits)
        {
            problem = $"the RSA key has {rsa.KeySize} bits; at least {MinimumBits} are required";
            return false;
        }

        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        key = new ClientPublicKey(Thumbprint(parameters), rsa.ExportSubjectPublicKeyInfo(), rsa.KeySize);
        problem = null;
        return true;
    }

    /// <summary>RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace.</summary>
    private static KeyId Thumbprint(RSAParameters key)
    {
        var canonical = $$"""{"e":"{{Base64Url.EncodeToString(key.Exponent)}}","kty":"RSA","n":"{{Base64Url.EncodeToString(key.Modulus)}}"}""";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return new KeyId(Base64Url.EncodeToString(digest));
    }
}
