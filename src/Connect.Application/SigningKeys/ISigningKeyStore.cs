namespace Connect.Application.SigningKeys;

/// <summary>Where token-signing keys are kept. Every change bumps the application's revision.</summary>
public interface ISigningKeyStore
{
    /// <returns>The application's revision, or <c>null</c> when there is no such application.</returns>
    Task<long?> ReadRevisionAsync(AppId application, CancellationToken cancellationToken);

    /// <returns>The application's id and revision, or <c>null</c> when no application has exactly that anchor.</returns>
    Task<(AppId Application, long Revision)?> ReadRevisionAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);

    /// <returns>The application's keys (removed ones included) and revision, or <c>null</c> when it does not exist.</returns>
    Task<SigningKeySet?> LoadAsync(AppId application, CancellationToken cancellationToken);

    /// <inheritdoc cref="LoadAsync(AppId, CancellationToken)"/>
    Task<SigningKeySet?> LoadAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);

    /// <summary>Adds a key unless its generation (or key id) is already taken for its application.</summary>
    /// <returns><c>false</c> when another writer took the generation first.</returns>
    Task<bool> AddAsync(StoredSigningKey key, CancellationToken cancellationToken);

    /// <summary>Raises the key's <see cref="StoredSigningKey.SignsUntil"/> to at least <paramref name="signsUntil"/>.</summary>
    Task ExtendSignsUntilAsync(AppId application, string keyId, DateTimeOffset signsUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a key and, in the same transaction, makes <paramref name="promote"/> (a next key) current at
    /// <paramref name="now"/> or adds <paramref name="replacement"/>, when the removed key was the current one.
    /// </summary>
    /// <returns><c>false</c> when the application has no such key that is not already removed.</returns>
    Task<bool> RemoveAsync(
        AppId application, string keyId, DateTimeOffset now, string? promote, StoredSigningKey? replacement,
        CancellationToken cancellationToken);

    /// <returns>The fingerprint of a KEK other than <paramref name="keyEncryptionKeyId"/> that sealed a key not removed, or <c>null</c>.</returns>
    Task<string?> FindOtherKeyEncryptionKeyIdAsync(string keyEncryptionKeyId, CancellationToken cancellationToken);

    /// <returns>The keys not removed that were sealed before seals covered the whole row (no KEK fingerprint).</returns>
    Task<IReadOnlyList<StoredSigningKey>> ListSealedBeforeFingerprintsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces such a key's seal with <paramref name="resealed"/>, unless someone else already did.</summary>
    Task<bool> ResealAsync(StoredSigningKey key, SealedPrivateKey resealed, string keyEncryptionKeyId, CancellationToken cancellationToken);

    /// <returns>The most recently created key that is not removed, of any application; <c>null</c> when none.</returns>
    Task<StoredSigningKey?> FindNewestAsync(CancellationToken cancellationToken);
}
