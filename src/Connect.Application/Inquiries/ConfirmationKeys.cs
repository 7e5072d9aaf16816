namespace Connect.Application.Inquiries;

/// <summary>
/// Makes an inquiry's confirmation key: HMAC-SHA256, under a secret derived from the key-encryption key, over the
/// inquiry's id and the realization's random nonce. Every poll can answer the same key while the database holds only
/// the nonce and the key's hash; someone who reads the database without the KEK cannot make it
/// (docs/decisions.md, "Inquiry keys").
/// </summary>
public sealed class ConfirmationKeys(SigningKeyEncryption encryption)
{
    public const int NonceBytes = 32;

    private const string Purpose = "connect-inquiry-confirmation-key/v1";

    private readonly Lazy<byte[]> _secret = new(() => encryption.DeriveSecret(Purpose));

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(NonceBytes);

    public string Make(Guid inquiry, byte[] nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        var message = new byte[16 + nonce.Length];
        inquiry.TryWriteBytes(message, bigEndian: true, out _);
        nonce.CopyTo(message, 16);
        return Base64Url.EncodeToString(HMACSHA256.HashData(_secret.Value, message));
    }
}
