namespace Connect.Application.Administration;

/// <summary>
/// A client-auth public key as registered: RSA of 2048 to 4096 bits with the public exponent 65537, kept as
/// SubjectPublicKeyInfo (DER), and named by its RFC 7638 JWK thumbprint.
/// </summary>
public sealed class ClientPublicKey
{
    public const int MinimumBits = 2048;

    // Anyone who knows an anchor makes the service verify with its keys: a larger modulus or exponent would let one
    // registered key make every forged request cost milliseconds of CPU (a 3,070-bit exponent: ~130 times more).
    public const int MaximumBits = 4096;

    /// <summary>The only public exponent accepted (F4, what every RSA library generates).</summary>
    public const int RequiredExponent = 65537;

    /// <summary>The most keys one application may have active at once: enough to rotate, not to slow every check.</summary>
    public const int MaxActivePerApplication = 4;

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
    /// <exception cref="ArgumentException">Not an SPKI PEM, not RSA, out of bounds; the message says which.</exception>
    public static ClientPublicKey FromPem(string pem) =>
        TryFromPem(pem, out var key, out var problem) ? key : throw new ArgumentException(problem, nameof(pem));

    /// <exception cref="ArgumentException">Not an RSA SubjectPublicKeyInfo within the bounds above.</exception>
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

        if (rsa.KeySize > MaximumBits)
        {
            problem = $"the RSA key has {rsa.KeySize} bits; at most {MaximumBits} are accepted";
            return false;
        }

        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        if (!IsRequiredExponent(parameters.Exponent))
        {
            problem = $"the RSA key's public exponent is not {RequiredExponent}";
            return false;
        }

        key = new ClientPublicKey(Thumbprint(parameters), rsa.ExportSubjectPublicKeyInfo(), rsa.KeySize);
        problem = null;
        return true;
    }

    /// <summary>The exponent as an unsigned big-endian integer, leading zero bytes allowed.</summary>
    private static bool IsRequiredExponent(ReadOnlySpan<byte> exponent)
    {
        var significant = exponent.TrimStart((byte)0);
        return significant.SequenceEqual(stackalloc byte[] { 0x01, 0x00, 0x01 });
    }

    /// <summary>RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace.</summary>
    private static KeyId Thumbprint(RSAParameters key)
    {
        var canonical = $$"""{"e":"{{Base64Url.EncodeToString(key.Exponent)}}","kty":"RSA","n":"{{Base64Url.EncodeToString(key.Modulus)}}"}""";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return new KeyId(Base64Url.EncodeToString(digest));
    }
}
