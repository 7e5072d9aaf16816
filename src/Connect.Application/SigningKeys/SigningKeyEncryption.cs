namespace Connect.Application.SigningKeys;

/// <summary>
/// Seals and opens private signing keys with AES-256-GCM under the configured key-encryption key (KEK). The
/// associated data is the key row's identity: application, generation, key id, public key and creation time. So the
/// seal authenticates the whole key, not only its private half: a row whose columns are not the ones it was sealed
/// with (a public key planted or swapped by someone who can write to the database, a ciphertext copied into another
/// row) fails its tag and is no key at all.
/// </summary>
public sealed class SigningKeyEncryption
{
    public const int KeyEncryptionKeyBytes = 32;

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[]? _keyEncryptionKey;

    public SigningKeyEncryption(IOptions<SigningKeyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.KeyEncryptionKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return;
        }

        try
        {
            _keyEncryptionKey = Convert.FromBase64String(configured.Trim());
        }
        catch (FormatException)
        {
            _keyEncryptionKey = null;
        }

        if (_keyEncryptionKey?.Length != KeyEncryptionKeyBytes)
        {
            _keyEncryptionKey = null;
            ConfigurationProblem =
                $"{SigningKeyOptions.SectionName}:KeyEncryptionKey must be {KeyEncryptionKeyBytes} bytes in standard base64";
            return;
        }

        KeyEncryptionKeyId = IdOf(_keyEncryptionKey);
    }

    /// <summary>
    /// The configured KEK's fingerprint (16 hex digits of HMAC-SHA-256 under the KEK), stored beside every key it
    /// seals so that a different KEK is told apart by name, before anything is decrypted. Reveals nothing of the KEK.
    /// </summary>
    public string? KeyEncryptionKeyId { get; }

    /// <summary>The fingerprint <see cref="KeyEncryptionKeyId"/> of a KEK in configuration form.</summary>
    public static string IdOf(string keyEncryptionKey) => IdOf(Convert.FromBase64String(keyEncryptionKey.Trim()));

    private static string IdOf(byte[] keyEncryptionKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(keyEncryptionKey, "connect-signing-key-kek-id/v1"u8))[..16];

    /// <summary>Why the configured KEK cannot be used (malformed), or <c>null</c>. Never shows the value.</summary>
    public string? ConfigurationProblem { get; }

    [MemberNotNullWhen(true, nameof(_keyEncryptionKey))]
    public bool IsConfigured => _keyEncryptionKey is not null;

    /// <summary>Fails before a change that would need the KEK, rather than halfway through it.</summary>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured.</exception>
    public void EnsureConfigured() => RequireKey();

    /// <summary>A fresh 256-bit KEK in the form the configuration takes.</summary>
    public static string NewKeyEncryptionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyEncryptionKeyBytes));

    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured.</exception>
    public SealedPrivateKey Seal(SigningKeyIdentity identity, ReadOnlySpan<byte> pkcs8)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var kek = RequireKey();
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var tag = new byte[TagBytes];
        var ciphertext = new byte[pkcs8.Length];
        using var aes = new AesGcm(kek, TagBytes);
        aes.Encrypt(nonce, pkcs8, ciphertext, tag, identity.AssociatedData());
        return new SealedPrivateKey(nonce, tag, ciphertext);
    }

    /// <summary>
    /// Whether the row is a key this service made: its seal opens under the configured KEK with the row's own
    /// identity. Checked when a row is loaded into a kept copy, never per request.
    /// </summary>
    /// <returns><c>false</c> also when no usable KEK is configured: nothing can then be authenticated.</returns>
    public bool IsAuthentic(StoredSigningKey stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!IsConfigured)
        {
            return false;
        }

        var pkcs8 = TryOpen(SigningKeyIdentity.Of(stored), stored.PrivateKey);
        if (pkcs8 is null)
        {
            return false;
        }

        CryptographicOperations.ZeroMemory(pkcs8);
        return true;
    }

    /// <summary>
    /// A stored key's private key opened into the form that signs: one RSA object, to be held for the key's
    /// lifetime by whoever signs with it (never opened per token). The decrypted PKCS#8 bytes are wiped once imported.
    /// </summary>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured, or it does not open this key.</exception>
    public TokenSigningKey OpenSigningKey(StoredSigningKey stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var pkcs8 = TryOpen(SigningKeyIdentity.Of(stored), stored.PrivateKey)
            ?? throw new SigningKeysUnavailableException(
                $"the configured key-encryption key ({SigningKeyOptions.SectionName}:KeyEncryptionKey) does not open the token-signing key {stored.KeyId}");
        try
        {
#pragma warning disable CA2000 // owned by the caller, who keeps it for the key's lifetime
            var privateKey = RSA.Create();
#pragma warning restore CA2000
            privateKey.ImportPkcs8PrivateKey(pkcs8, out _);
            return new TokenSigningKey(stored.KeyId, privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <returns>The PKCS#8 private key, or <c>null</c> when the KEK or the identity is not the one it was sealed with.</returns>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured.</exception>
    public byte[]? TryOpen(SigningKeyIdentity identity, SealedPrivateKey sealedKey)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return TryOpen(identity.AssociatedData(), sealedKey);
    }

    /// <summary>
    /// Opens a key sealed before the seal covered the whole row (associated data <c>connect-signing-key/v1</c>: the
    /// application and key id only), for <see cref="SigningKeyStartCheck"/> to seal it again the current way.
    /// </summary>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured.</exception>
    public byte[]? TryOpenLegacy(AppId application, string keyId, SealedPrivateKey sealedKey) =>
        TryOpen(Encoding.UTF8.GetBytes($"connect-signing-key/v1\n{application.Value:D}\n{keyId}"), sealedKey);

    private byte[]? TryOpen(byte[] associatedData, SealedPrivateKey sealedKey)
    {
        ArgumentNullException.ThrowIfNull(sealedKey);
        var kek = RequireKey();
        if (sealedKey.Nonce.Length != NonceBytes || sealedKey.Tag.Length != TagBytes)
        {
            return null;
        }

        var plaintext = new byte[sealedKey.Ciphertext.Length];
        using var aes = new AesGcm(kek, TagBytes);
        try
        {
            aes.Decrypt(sealedKey.Nonce, sealedKey.Ciphertext, sealedKey.Tag, plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// A 256-bit secret for one purpose, derived from the KEK with HKDF-SHA256 (RFC 5869): the KEK itself never keys
    /// anything but the sealing, and secrets of different purposes are independent.
    /// </summary>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured.</exception>
    public byte[] DeriveSecret(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, RequireKey(), KeyEncryptionKeyBytes, info: Encoding.UTF8.GetBytes(purpose));

    private byte[] RequireKey() =>
        _keyEncryptionKey ?? throw new SigningKeysUnavailableException(ConfigurationProblem ??
            $"no key-encryption key is configured for the token-signing keys (set {SigningKeyOptions.SectionName}:KeyEncryptionKey)");
}

/// <summary>
/// What a key's seal authenticates: every column of its row that says which key it is and whose. The times that
/// change over a key's life (current_from, signs_until, removed_at) are not part of it; see docs/decisions.md.
/// </summary>
/// <param name="CreatedAt">Whole microseconds, as PostgreSQL stores it.</param>
public sealed record SigningKeyIdentity(AppId Application, int Generation, string KeyId, byte[] PublicKeySpki, DateTimeOffset CreatedAt)
{
    public static SigningKeyIdentity Of(StoredSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Application, key.Generation, key.KeyId, key.PublicKeySpki, key.CreatedAt);
    }

    /// <summary>A time as PostgreSQL's timestamptz keeps it: whole microseconds, UTC.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    internal byte[] AssociatedData()
    {
        var micros = (CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return Encoding.UTF8.GetBytes(
            $"connect-signing-key/v2\n{Application.Value:D}\n{Generation.ToString(CultureInfo.InvariantCulture)}\n{KeyId}\n" +
            $"{Convert.ToBase64String(PublicKeySpki)}\n{micros.ToString(CultureInfo.InvariantCulture)}");
    }
}

/// <summary>
/// The token-signing keys cannot be used: no (or a malformed) key-encryption key, or one that does not open the
/// keys in the database. The message is one plain line for the operator and never holds key material.
/// </summary>
public sealed class SigningKeysUnavailableException : Exception
{
    public SigningKeysUnavailableException()
    {
    }

    public SigningKeysUnavailableException(string message)
        : base(message)
    {
    }

    public SigningKeysUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
