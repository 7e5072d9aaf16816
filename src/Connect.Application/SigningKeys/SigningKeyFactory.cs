namespace Connect.Application.SigningKeys;

/// <summary>Generates new token-signing keys: RSA, sealed at once, named by their RFC 7638 thumbprint.</summary>
public sealed class SigningKeyFactory(SigningKeyEncryption encryption)
{
    /// <summary>docs/contract/sessions.md asks for at least 2048; 2048 keeps signing cheap and is what JOSE libraries expect.</summary>
    public const int KeyBits = 2048;

    /// <param name="currentFrom">When the key starts signing: now for a first or replacement key, later for a rotation.</param>
    /// <exception cref="SigningKeysUnavailableException">No usable key-encryption key is configured.</exception>
    public StoredSigningKey Create(AppId application, int generation, DateTimeOffset now, DateTimeOffset currentFrom)
    {
        encryption.EnsureConfigured();
        using var rsa = RSA.Create(KeyBits);
        var keyId = Thumbprint(rsa.ExportParameters(includePrivateParameters: false));
        var pkcs8 = rsa.ExportPkcs8PrivateKey();
        try
        {
            // Stored exactly as sealed: the creation time is part of the seal, and PostgreSQL keeps microseconds.
            (now, currentFrom) = (SigningKeyIdentity.ToStoredPrecision(now), SigningKeyIdentity.ToStoredPrecision(currentFrom));
            var identity = new SigningKeyIdentity(application, generation, keyId, rsa.ExportSubjectPublicKeyInfo(), now);
            var sealedKey = encryption.Seal(identity, pkcs8);
            return new StoredSigningKey(
                application, generation, keyId, identity.PublicKeySpki, sealedKey, now, currentFrom, currentFrom, RemovedAt: null,
                encryption.KeyEncryptionKeyId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>RFC 7638 §3.2: SHA-256 over {"e","kty","n"} in that order, no whitespace, base64url.</summary>
    public static string Thumbprint(RSAParameters key)
    {
        var canonical = $$"""{"e":"{{Base64Url.EncodeToString(key.Exponent)}}","kty":"RSA","n":"{{Base64Url.EncodeToString(key.Modulus)}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
