using System.Buffers.Text;
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
    public static ClientPublicKey FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields)
            || !pem.AsSpan(fields.Label).SequenceEqual("PUBLIC KEY"))
        {
            throw new ArgumentException("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)", nameof(pem));
        }

        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        return FromSubjectPublicKeyInfo(der);
    }

    /// <exception cref="ArgumentException">Not an RSA SubjectPublicKeyInfo of at least 2048 bits.</exception>
    public static ClientPublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                throw new ArgumentException("the public key has trailing bytes", nameof(der));
            }
        }
        catch (CryptographicException)
        {
            throw new ArgumentException("not an RSA public key", nameof(der));
        }

        if (rsa.KeySize < MinimumBits)
        {
            throw new ArgumentException(
                $"the RSA key has {rsa.KeySize} bits; at least {MinimumBits} are required", nameof(der));
        }

        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new ClientPublicKey(Thumbprint(parameters), rsa.ExportSubjectPublicKeyInfo(), rsa.KeySize);
    }

    /// <summary>RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace.</summary>
    private static KeyId Thumbprint(RSAParameters key)
    {
        var canonical = $$"""{"e":"{{Base64Url.EncodeToString(key.Exponent)}}","kty":"RSA","n":"{{Base64Url.EncodeToString(key.Modulus)}}"}""";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return new KeyId(Base64Url.EncodeToString(digest));
    }
}
