namespace Connect.Application.Inquiries;

/// <summary>The inquiry's random keys: made here, stored only as SHA-256 hashes, compared in constant time.</summary>
public static class InquiryKeys
{
    /// <summary>Keys are 43 characters (256 bits); anything far longer is not one of ours and is not hashed.</summary>
    public const int MaxLength = 128;

    /// <summary>256 random bits, unpadded base64url (the codebase's opaque id).</summary>
    public static string NewKey() => SessionTokenCodec.NewOpaqueId();

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Constant time, so that a wrong key's answer time says nothing about how much of it was right.</summary>
    public static bool Matches(string? presented, byte[]? storedHash) =>
        presented is not null && storedHash is not null && presented.Length <= MaxLength
        && CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);
}
