namespace Connect.Application.SigningKeys;

/// <summary>
/// Run before the service starts serving and before every command that uses the database: a database that holds
/// signing keys the configured key-encryption key did not seal stops it with one plain line, rather than failing
/// later, request by request. Keys sealed before the seal covered the whole row are sealed again here, once.
/// </summary>
public sealed class SigningKeyStartCheck(ISigningKeyStore store, SigningKeyEncryption encryption)
{
    /// <returns>The one line that explains why the service must not start, or <c>null</c> when it may.</returns>
    public async Task<string?> FindProblemAsync(CancellationToken cancellationToken)
    {
        if (encryption.ConfigurationProblem is { } malformed)
        {
            return malformed;
        }

        var newest = await store.FindNewestAsync(cancellationToken).ConfigureAwait(false);
        if (newest is null)
        {
            return null;
        }

        if (!encryption.IsConfigured)
        {
            return "the database holds token-signing keys but no key-encryption key is configured " +
                $"(set {SigningKeyOptions.SectionName}:KeyEncryptionKey)";
        }

        var configuredId = encryption.KeyEncryptionKeyId!;
        // Every key, not only the newest: a KEK made anew after the first was lost seals the newest keys and none
        // of the older ones.
        if (await store.FindOtherKeyEncryptionKeyIdAsync(configuredId, cancellationToken).ConfigureAwait(false) is { } other)
        {
            return $"the token-signing keys in the database were sealed under the key-encryption key {other}, not the configured " +
                $"{configuredId} ({SigningKeyOptions.SectionName}:KeyEncryptionKey); restore the key-encryption key they were sealed with";
        }

        return await SealLegacyKeysAgainAsync(configuredId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A key sealed the old way bound only its application and key id: its public key could have been swapped. It is
    /// sealed again only if its private key is the public key in its row and the key id is that key's thumbprint.
    /// </summary>
    private async Task<string?> SealLegacyKeysAgainAsync(string configuredId, CancellationToken cancellationToken)
    {
        foreach (var legacy in await store.ListSealedBeforeFingerprintsAsync(cancellationToken).ConfigureAwait(false))
        {
            var pkcs8 = encryption.TryOpenLegacy(legacy.Application, legacy.KeyId, legacy.PrivateKey);
            if (pkcs8 is null)
            {
                return $"the configured key-encryption key ({SigningKeyOptions.SectionName}:KeyEncryptionKey) does not open the token-signing keys in the database";
            }

            try
            {
                using var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                if (!rsa.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(legacy.PublicKeySpki)
                    || SigningKeyFactory.Thumbprint(rsa.ExportParameters(includePrivateParameters: false)) != legacy.KeyId)
                {
                    // Not the key its row says: left unsealed, so it stays no key at all.
                    continue;
                }

                var resealed = encryption.Seal(SigningKeyIdentity.Of(legacy), pkcs8);
                await store.ResealAsync(legacy, resealed, configuredId, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }

        return null;
    }
}
