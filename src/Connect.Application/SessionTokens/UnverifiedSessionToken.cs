namespace Connect.Application.SessionTokens;

/// <summary>
/// A session token of either kind whose structure and member types are valid; nothing in it is trusted until
/// <see cref="SessionTokenCodec.Verifies{TClaims}(UnverifiedSessionToken{TClaims}, TokenVerificationKey)"/> says so.
/// The caller reads <see cref="Claims"/>.<c>Audience</c> to find the application whose key <see cref="KeyId"/> names.
/// </summary>
public sealed class UnverifiedSessionToken<TClaims>
    where TClaims : class, ISessionTokenClaims
{
    internal UnverifiedSessionToken(string keyId, TClaims claims, byte[] signingInput, byte[] signature)
    {
        KeyId = keyId;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    /// <summary>The header's <c>kid</c>: the only key the token can verify under.</summary>
    public string KeyId { get; }

    public TClaims Claims { get; }

    /// <summary>The ASCII of "header.payload" exactly as sent (RFC 7515 §5.2).</summary>
    internal byte[] SigningInput { get; }

    internal byte[] Signature { get; }
}
