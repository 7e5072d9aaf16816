namespace Connect.Application.SigningKeys;

/// <summary>One token-signing key as the store holds it: public parts, the sealed private key, and the times
/// <see cref="SigningKeyLifecycle"/> derives its state from.</summary>
/// <param name="Generation">1 for the application's first key, one more for each later key.</param>
/// <param name="CreatedAt">From then on the key is published in the JWKS.</param>
/// <param name="CurrentFrom">From then on the key signs, unless a later generation does.</param>
/// <param name="SignsUntil">No token the key signed expires after this.</param>
/// <param name="RemovedAt">Set when an operator removed the key on purpose.</param>
/// <param name="KeyEncryptionKeyId">The fingerprint of the KEK that sealed it (<see cref="SigningKeyEncryption.KeyEncryptionKeyId"/>);
/// <c>null</c> for a key sealed before fingerprints were kept, which the start check seals again.</param>
public sealed record StoredSigningKey(
    AppId Application,
    int Generation,
    string KeyId,
    byte[] PublicKeySpki,
    SealedPrivateKey PrivateKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset CurrentFrom,
    DateTimeOffset SignsUntil,
    DateTimeOffset? RemovedAt,
    string? KeyEncryptionKeyId = null)
{
    /// <summary>Never prints key material, sealed or not.</summary>
    public override string ToString() => $"SigningKey({Application}, {Generation}, {KeyId})";
}

/// <summary>A PKCS#8 private key under AES-256-GCM: the nonce, the authentication tag and the ciphertext.</summary>
public sealed record SealedPrivateKey(byte[] Nonce, byte[] Tag, byte[] Ciphertext)
{
    public override string ToString() => "SealedPrivateKey";
}

/// <summary>An application's keys read in one snapshot, with the revision that snapshot belongs to.</summary>
public sealed record SigningKeySet(AppId Application, ApplicationAnchor Anchor, long Revision, IReadOnlyList<StoredSigningKey> Keys);

/// <summary>The state a key is in at a given moment (docs/contract/sessions.md, "Token-signing keys and JWKS").</summary>
public enum SigningKeyState
{
    /// <summary>Published, not yet signing.</summary>
    Next,

    /// <summary>Signs; exactly one per application.</summary>
    Current,

    /// <summary>Published and verifying, no longer signing.</summary>
    Retiring,

    /// <summary>Neither published nor verifying.</summary>
    Removed,
}
