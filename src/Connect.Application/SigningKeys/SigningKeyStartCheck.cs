namespace Connect.Application.SigningKeys;

/// <summary>
/// Run before the service starts serving: a database that holds signing keys the configured key-encryption key
/// cannot open stops the start with one plain line, rather than failing later, request by request.
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

        // One key suffices: all are sealed under the one KEK, and a wrong KEK fails every tag.
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

        return encryption.TryOpen(newest.Application, newest.KeyId, newest.PrivateKey) is null
            ? $"the configured key-encryption key ({SigningKeyOptions.SectionName}:KeyEncryptionKey) does not open the token-signing keys in the database"
            : null;
    }
}
