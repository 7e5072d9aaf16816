namespace Connect.Application.SessionTokens;

/// <summary>
/// A published token-signing key (next, current or retiring) as a verifier uses it: its key id and its RSA
/// public key. A removed key is never handed out as one, so tokens it signed verify nowhere.
/// </summary>
public sealed class TokenVerificationKey(string keyId, RSA publicKey)
{
    public string KeyId { get; } = keyId;

    public RSA PublicKey { get; } = publicKey;
}
