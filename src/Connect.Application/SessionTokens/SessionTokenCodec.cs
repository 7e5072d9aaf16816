namespace Connect.Application.SessionTokens;

/// <summary>
/// The session tokens of docs/contract/sessions.md as one pure component, beside the client-JWT policy: it makes the claims of
/// a new token, mints access and refresh tokens (compact JWS, RS256, unpadded base64url, members in a fixed
/// order) and reads them back in two steps: <c>Read*</c> checks structure and types and answers a reason, then
/// the caller finds the key the token's <c>aud</c> and <c>kid</c> name and asks <c>Verifies</c>. It touches no
/// database; the clock is injected; bad input is a reason or <c>false</c>, never an exception.
/// </summary>
[SuppressMessage(
    "Performance", "CA1822:Mark members as static",
    Justification = "One injected surface: callers mint and read through the instance whatever state each step needs.")]
public sealed class SessionTokenCodec
{
    public const string Algorithm = CompactJws.Algorithm;

    /// <summary>RFC 8725 §3.11: explicit typing, so that one kind of token is never taken for the other.</summary>
    public const string AccessTokenType = "vnd.sudomimus.application-access+jwt";

    public const string RefreshTokenType = "vnd.sudomimus.application-refresh+jwt";

    /// <summary>Random bytes in a <c>jti</c> (and a <c>sid</c> from <see cref="NewOpaqueId"/>): 256 bits, above the contract's 128.</summary>
    private const int OpaqueIdBytes = 32;

    private const int MinKeyBits = CompactJws.MinKeyBits;
    private const int MaxKeyBits = CompactJws.MaxKeyBits;

    // Members of the header and of each payload, in the order they are written (docs/contract/sessions.md's order).
    private static readonly byte[][] HeaderNames = ["alg"u8.ToArray(), "kid"u8.ToArray(), "typ"u8.ToArray()];

    private static readonly byte[][] AccessNames =
    [
        "iss"u8.ToArray(), "aud"u8.ToArray(), "sub"u8.ToArray(), "sid"u8.ToArray(), "jti"u8.ToArray(),
        "iat"u8.ToArray(), "exp"u8.ToArray(),
    ];

    private static readonly byte[][] RefreshNames =
    [
        "iss"u8.ToArray(), "aud"u8.ToArray(), "sid"u8.ToArray(), "jti"u8.ToArray(), "iat"u8.ToArray(),
        "exp"u8.ToArray(), "rotationVersion"u8.ToArray(),
    ];

    private readonly TimeProvider _clock;
    private readonly long _accessLifetime;

    public SessionTokenCodec(TimeProvider clock, IOptions<SessionTokenOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        if (settings.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _clock = clock;
        _accessLifetime = settings.AccessTokenLifetimeSeconds;
        Issuer = settings.EffectiveIssuer;
    }

    /// <summary>The <c>iss</c> of every token this codec makes.</summary>
    public string Issuer { get; }

    /// <summary>Whether a presented token's <c>iss</c> is this service's issuer, compared as written (RFC 7519 §4.1.1).</summary>
    public bool IsOwnIssuer(string issuer) => string.Equals(issuer, Issuer, StringComparison.Ordinal);

    /// <summary>A fresh opaque id (for a <c>jti</c> or a <c>sid</c>): 256 random bits as 43 characters of unpadded base64url.</summary>
    public static string NewOpaqueId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(OpaqueIdBytes));

    /// <summary>
    /// The claims of a new access token of a session: issued now, expiring after the access lifetime but never
    /// after the session (an already expired session gets an already expired token, never a longer one).
    /// </summary>
    /// <param name="lifetimeSeconds">The session's own access lifetime, when it has one (an <c>/establish</c>
    /// constraint's <c>accessTokenTtlSeconds</c>); otherwise the configured one.</param>
    public AccessTokenClaims NewAccessClaims(
        ApplicationAnchor audience, SectorSubject subject, string sessionId, DateTimeOffset sessionExpiresAt,
        int? lifetimeSeconds = null)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var expiresAt = Math.Min(now + (lifetimeSeconds ?? _accessLifetime), sessionExpiresAt.ToUnixTimeSeconds());
        return new AccessTokenClaims(Issuer, audience.Value, subject.Value, sessionId, NewOpaqueId(), now, expiresAt);
    }

    /// <summary>
    /// The claims of a new refresh token of a session's version: issued now, expiring with the session, since a
    /// rotation never extends it.
    /// </summary>
    public RefreshTokenClaims NewRefreshClaims(
        ApplicationAnchor audience, string sessionId, int rotationVersion, DateTimeOffset sessionExpiresAt)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        return new RefreshTokenClaims(
            Issuer, audience.Value, sessionId, NewOpaqueId(), now, sessionExpiresAt.ToUnixTimeSeconds(), rotationVersion);
    }

    /// <summary>
    /// Signs an access token. The same claims and key always give the same text (RS256 is deterministic). Claims
    /// the reader would refuse are a bug in the caller and throw: no token is minted that could not be read back.
    /// </summary>
    public string Mint(AccessTokenClaims claims, TokenSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (!IsValid(claims))
        {
            throw new ArgumentException("The access-token claims are outside the token's bounds.", nameof(claims));
        }

        return Sign(AccessTokenType, key, writer =>
        {
            writer.WriteString("iss"u8, claims.Issuer);
            writer.WriteString("aud"u8, claims.Audience);
            writer.WriteString("sub"u8, claims.Subject);
            writer.WriteString("sid"u8, claims.SessionId);
            writer.WriteString("jti"u8, claims.TokenId);
            writer.WriteNumber("iat"u8, claims.IssuedAt);
            writer.WriteNumber("exp"u8, claims.ExpiresAt);
        });
    }

    /// <summary>
    /// Signs a refresh token. The same claims and key always give the same text, so adoption inside the grace
    /// window can re-sign the stored claims of the current version and answer the byte-identical token.
    /// </summary>
    public string Mint(RefreshTokenClaims claims, TokenSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (!IsValid(claims))
        {
            throw new ArgumentException("The refresh-token claims are outside the token's bounds.", nameof(claims));
        }

        return Sign(RefreshTokenType, key, writer =>
        {
            writer.WriteString("iss"u8, claims.Issuer);
            writer.WriteString("aud"u8, claims.Audience);
            writer.WriteString("sid"u8, claims.SessionId);
            writer.WriteString("jti"u8, claims.TokenId);
            writer.WriteNumber("iat"u8, claims.IssuedAt);
            writer.WriteNumber("exp"u8, claims.ExpiresAt);
            writer.WriteNumber("rotationVersion"u8, claims.RotationVersion);
        });
    }

    /// <summary>
    /// Step one of reading an access token: structure, strict JSON, exactly the members of docs/contract/sessions.md with their
    /// types and bounds, <c>alg</c> RS256 and the access <c>typ</c>. Anything else, a refresh token included, is
    /// <see cref="ReasonCode.AccessTokenInvalid"/>. Nothing is trusted yet.
    /// </summary>
    public Outcome<UnverifiedSessionToken<AccessTokenClaims>> ReadAccess(string? token) =>
        Read(token) is { Access: { } access } ? access : ReasonCode.AccessTokenInvalid;

    /// <summary>
    /// Step one of reading a refresh token, as <see cref="ReadAccess"/> for the refresh kind:
    /// <see cref="ReasonCode.RefreshTokenInvalid"/>, or <see cref="ReasonCode.RefreshTokenInvalidType"/> for a
    /// token that is a well-formed access token (the one other kind there is).
    /// </summary>
    public Outcome<UnverifiedSessionToken<RefreshTokenClaims>> ReadRefresh(string? token) => Read(token) switch
    {
        { Refresh: { } refresh } => refresh,
        { Access: not null } => ReasonCode.RefreshTokenInvalidType,
        _ => ReasonCode.RefreshTokenInvalid,
    };

    /// <summary>Step two: the RS256 signature, under <paramref name="key"/> only if it is the key the token names.</summary>
    public bool Verifies<TClaims>(UnverifiedSessionToken<TClaims> token, TokenVerificationKey key)
        where TClaims : class, ISessionTokenClaims
    {
        ArgumentNullException.ThrowIfNull(token);
        return Verifies(token.KeyId, token.SigningInput, token.Signature, key);
    }

    private static bool Verifies(string keyId, byte[] signingInput, byte[] signature, TokenVerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // RFC 8725 §3.1: the key is the one the server holds under the token's kid, never another that happens to
        // verify; the algorithm is fixed here, never taken from the token.
        if (!string.Equals(key.KeyId, keyId, StringComparison.Ordinal)
            || key.PublicKey.KeySize is < MinKeyBits or > MaxKeyBits
            || signature.Length != key.PublicKey.KeySize / 8)
        {
            return false;
        }

        try
        {
            return key.PublicKey.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            // A signature that is no number below the modulus is simply not a valid signature.
            return false;
        }
    }

    private static string Sign(string type, TokenSigningKey key, Action<Utf8JsonWriter> writePayload)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!SessionTokenLimits.IsId(key.KeyId))
        {
            throw new ArgumentException("The signing key's id is outside the token's bounds.", nameof(key));
        }

        var token = CompactJws.SignRs256(type, key.KeyId, key.PrivateKey, writePayload);
        return SessionTokenLimits.IsWithinMaxLength(token)
            ? token
            : throw new ArgumentException($"The claims make a token longer than {SessionTokenLimits.MaxTokenBytes} bytes.");
    }

    private static bool IsValid(AccessTokenClaims claims) =>
        SessionTokenLimits.IsText(claims.Issuer, SessionTokenLimits.MaxIssuerLength)
        && SessionTokenLimits.IsText(claims.Audience, SessionTokenLimits.MaxAudienceLength)
        && SessionTokenLimits.IsText(claims.Subject, SessionTokenLimits.MaxSubjectLength)
        && SessionTokenLimits.IsId(claims.SessionId) && SessionTokenLimits.IsId(claims.TokenId)
        && SessionTokenLimits.IsTime(claims.IssuedAt) && SessionTokenLimits.IsTime(claims.ExpiresAt);

    private static bool IsValid(RefreshTokenClaims claims) =>
        SessionTokenLimits.IsText(claims.Issuer, SessionTokenLimits.MaxIssuerLength)
        && SessionTokenLimits.IsText(claims.Audience, SessionTokenLimits.MaxAudienceLength)
        && SessionTokenLimits.IsId(claims.SessionId) && SessionTokenLimits.IsId(claims.TokenId)
        && SessionTokenLimits.IsTime(claims.IssuedAt) && SessionTokenLimits.IsTime(claims.ExpiresAt)
        && claims.RotationVersion >= 1;

    /// <summary>What a token is, read strictly: at most one of the two kinds, or neither.</summary>
    private readonly record struct Reading(UnverifiedSessionToken<AccessTokenClaims>? Access, UnverifiedSessionToken<RefreshTokenClaims>? Refresh);

    private static Reading Read(string? token)
    {
        if (token is null || !SessionTokenLimits.IsWithinMaxLength(token))
        {
            return default;
        }

        // RFC 7515 §7.1: exactly three segments, each canonical unpadded base64url (one spelling per byte string).
        var text = token.AsSpan();
        var headerEnd = text.IndexOf('.');
        var payloadEnd = headerEnd < 0 ? -1 : text[(headerEnd + 1)..].IndexOf('.');
        if (payloadEnd < 0)
        {
            return default;
        }

        payloadEnd += headerEnd + 1;
        var header = text[..headerEnd];
        var payload = text[(headerEnd + 1)..payloadEnd];
        var signature = text[(payloadEnd + 1)..];
        if (signature.Length == 0
            || !Base64UrlSegment.IsCanonical(header)
            || !Base64UrlSegment.IsCanonical(payload)
            || !Base64UrlSegment.IsCanonical(signature))
        {
            return default;
        }

        var headerRoom = default(JsonMembers);
        Span<JsonMember> headerMembers = headerRoom[..HeaderNames.Length];
        var headerJson = new byte[Base64UrlSegment.DecodedLength(header)];
        Base64UrlSegment.Decode(header, headerJson);
        if (!StrictJson.TryRead(headerJson, HeaderNames, headerMembers, out var headerCount)
            || headerCount != HeaderNames.Length
            || headerMembers[0].Text != Algorithm
            || headerMembers[1].Text is not { } keyId || !SessionTokenLimits.IsId(keyId)
            || headerMembers[2].Text is not (AccessTokenType or RefreshTokenType))
        {
            return default;
        }

        var isAccess = headerMembers[2].Text == AccessTokenType;
        var names = isAccess ? AccessNames : RefreshNames;
        var payloadRoom = default(JsonMembers);
        Span<JsonMember> members = payloadRoom[..names.Length];
        var payloadJson = new byte[Base64UrlSegment.DecodedLength(payload)];
        Base64UrlSegment.Decode(payload, payloadJson);
        if (!StrictJson.TryRead(payloadJson, names, members, out var payloadCount) || payloadCount != names.Length)
        {
            return default;
        }

        // RFC 7515 §5.2: the signature covers the ASCII of "header.payload" exactly as sent.
        var signingInput = Encoding.ASCII.GetBytes(token, 0, payloadEnd);
        var signatureBytes = new byte[Base64UrlSegment.DecodedLength(signature)];
        Base64UrlSegment.Decode(signature, signatureBytes);
        return isAccess
            ? new Reading(ReadAccessClaims(members) is { } access ? new UnverifiedSessionToken<AccessTokenClaims>(keyId, access, signingInput, signatureBytes) : null, null)
            : new Reading(null, ReadRefreshClaims(members) is { } refresh ? new UnverifiedSessionToken<RefreshTokenClaims>(keyId, refresh, signingInput, signatureBytes) : null);
    }

    private static AccessTokenClaims? ReadAccessClaims(ReadOnlySpan<JsonMember> m)
    {
        // Strings must be strings and times integers (JsonMember holds Integer only for a whole number in a long).
        if (m[0].Text is not { } iss || m[1].Text is not { } aud || m[2].Text is not { } sub
            || m[3].Text is not { } sid || m[4].Text is not { } jti
            || m[5].Integer is not { } iat || m[6].Integer is not { } exp)
        {
            return null;
        }

        var claims = new AccessTokenClaims(iss, aud, sub, sid, jti, iat, exp);
        return IsValid(claims) ? claims : null;
    }

    private static RefreshTokenClaims? ReadRefreshClaims(ReadOnlySpan<JsonMember> m)
    {
        if (m[0].Text is not { } iss || m[1].Text is not { } aud || m[2].Text is not { } sid || m[3].Text is not { } jti
            || m[4].Integer is not { } iat || m[5].Integer is not { } exp
            || m[6].Integer is not { } version || version is < 1 or > int.MaxValue)
        {
            return null;
        }

        var claims = new RefreshTokenClaims(iss, aud, sid, jti, iat, exp, (int)version);
        return IsValid(claims) ? claims : null;
    }
}
