namespace Connect.Application.SessionTokens;

/// <summary>
/// An application's current token-signing key in usable form: its key id (the RFC 7638 thumbprint published in
/// the JWKS) and its RSA private key, decrypted once when the key is loaded and held for the key's lifetime,
/// never per request. Never logged, printed or answered.
/// </summary>
public sealed class TokenSigningKey(string keyId, RSA privateKey)
{
    public string KeyId { get; } = keyId;

    public RSA PrivateKey { get; } = privateKey;
}
