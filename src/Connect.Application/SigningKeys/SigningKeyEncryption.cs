using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.SessionTokens;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Application.SigningKeys;

/// <summary>
/// Seals and opens private signing keys with AES-256-GCM under the configured key-encryption key (KEK). The
/// associated data names the application and the key id, so a ciphertext copied into another row, or another
/// application's row, fails its tag instead of decrypting.
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
        }
    }

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
    public SealedPrivateKey Seal(AppId application, string keyId, ReadOnlySpan<byte> pkcs8)
    {
        var kek = RequireKey();
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var tag = new byte[TagBytes];
        var ciphertext = new byte[pkcs8.Length];
        using var aes = new AesGcm(kek, TagBytes);
        aes.Encrypt(nonce, pkcs8, ciphertext, tag, AssociatedData(application, keyId));
        return new SealedPrivateKey(nonce, tag, ciphertext);
    }

    /// <summary>
    /// A stored key's private key opened into the form that signs: one RSA object, to be held for the key's
    /// lifetime by whoever signs with it (never opened per token). The decrypted PKCS#8 bytes are wiped once imported.
    /// </summary>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured, or it does not open this key.</exception>
    public TokenSigningKey OpenSigningKey(StoredSigningKey stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var pkcs8 = TryOpen(stored.Application, stored.KeyId, stored.PrivateKey)
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

    /// <returns>The PKCS#8 private key, or <c>null</c> when the KEK or the associated data is not the one it was sealed with.</returns>
    /// <exception cref="SigningKeysUnavailableException">No usable KEK is configured.</exception>
    public byte[]? TryOpen(AppId application, string keyId, SealedPrivateKey sealedKey)
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
            aes.Decrypt(sealedKey.Nonce, sealedKey.Ciphertext, sealedKey.Tag, plaintext, AssociatedData(application, keyId));
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

    private static byte[] AssociatedData(AppId application, string keyId) =>
        Encoding.UTF8.GetBytes($"connect-signing-key/v1\n{application.Value:D}\n{keyId}");
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
