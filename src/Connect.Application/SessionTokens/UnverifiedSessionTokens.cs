namespace Connect.Application.SessionTokens;

/// <summary>
/// An access token whose structure and member types are valid; nothing in it is trusted until
/// <see cref="SessionTokenCodec.Verifies(UnverifiedAccessToken, TokenVerificationKey)"/> says so. The caller reads
/// <see cref="Claims"/>.<c>Audience</c> to find the application whose key <see cref="KeyId"/> names.
/// </summary>
public sealed class UnverifiedAccessToken
{
    internal UnverifiedAccessToken(string keyId, AccessTokenClaims claims, byte[] signingInput, byte[] signature)
    {
        KeyId = keyId;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    /// <summary>The header's <c>kid</c>: the only key the token can verify under.</summary>
    public string KeyId { get; }

    public AccessTokenClaims Claims { get; }

    /// <summary>The ASCII of "header.payload" exactly as sent (RFC 7515 §5.2).</summary>
    internal byte[] SigningInput { get; }

    internal byte[] Signature { get; }
}

/// <summary>
/// A refresh token whose structure and member types are valid; nothing in it is trusted until
/// <see cref="SessionTokenCodec.Verifies(UnverifiedRefreshToken, TokenVerificationKey)"/> says so.
/// </summary>
public sealed class UnverifiedRefreshToken
{
    internal UnverifiedRefreshToken(string keyId, RefreshTokenClaims claims, byte[] signingInput, byte[] signature)
    {
        KeyId = keyId;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    /// <summary>The header's <c>kid</c>: the only key the token can verify under.</summary>
    public string KeyId { get; }

    public RefreshTokenClaims Claims { get; }

    /// <summary>The ASCII of "header.payload" exactly as sent (RFC 7515 §5.2).</summary>
    internal byte[] SigningInput { get; }

    internal byte[] Signature { get; }
}
