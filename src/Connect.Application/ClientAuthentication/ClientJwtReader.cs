namespace Connect.Application.ClientAuthentication;

/// <summary>
/// Checks the structure of a compact JWS and the types of its members, strictly, in one pass over each segment.
/// Everything it rejects is <see cref="ReasonCode.ClientJwtMalformed"/>; the algorithm's value and all trust
/// decisions come later.
/// </summary>
internal static class ClientJwtReader
{
    // Header members: those the rules read, then those the rules refuse outright. RFC 8725 §3.1 and §2.3: never
    // let the token pick where its key comes from, and refuse extensions we do not implement (RFC 7515 §4.1.11:
    // an unknown crit must be rejected; we accept no crit at all). Every other member is ignored, as the contract
    // says and RFC 7515 §4 asks of members a recipient does not understand: the TypeScript clients add their own
    // (@sudoo/jwt writes an "iat" in milliseconds into the header), and nothing else here changes how the token is
    // processed, because the signature is always checked over the segments as sent and always as RS256.
    private const int Alg = 0;
    private const int Kid = 1;
    private const int Typ = 2;
    private const int FirstRejected = 3;

    private static readonly byte[][] HeaderNames =
    [
        "alg"u8.ToArray(), "kid"u8.ToArray(), "typ"u8.ToArray(),
        "crit"u8.ToArray(), "jku"u8.ToArray(), "jwk"u8.ToArray(), "x5u"u8.ToArray(), "x5c"u8.ToArray(),
    ];

    private const int Iss = 0;
    private const int Sub = 1;
    private const int Aud = 2;
    private const int Iat = 3;
    private const int Exp = 4;
    private const int Nbf = 5;
    private const int Jti = 6;
    private const int BodySha256 = 7;
    private const int Azp = 8;

    private static readonly byte[][] PayloadNames =
    [
        "iss"u8.ToArray(), "sub"u8.ToArray(), "aud"u8.ToArray(), "iat"u8.ToArray(), "exp"u8.ToArray(),
        "nbf"u8.ToArray(), "jti"u8.ToArray(), "body_sha256"u8.ToArray(), "azp"u8.ToArray(),
    ];

    public static Outcome<ClientJwt> Read(string token)
    {
        if (!ClientJwtLimits.IsWithinMaxLength(token))
        {
            return ReasonCode.ClientJwtMalformed;
        }

        // RFC 7515 §7.1: exactly three segments, each canonical base64url.
        var text = token.AsSpan();
        var headerEnd = text.IndexOf('.');
        var payloadEnd = headerEnd < 0 ? -1 : text[(headerEnd + 1)..].IndexOf('.');
        if (payloadEnd < 0)
        {
            return ReasonCode.ClientJwtMalformed;
        }

        payloadEnd += headerEnd + 1;
        var header = text[..headerEnd];
        var payload = text[(headerEnd + 1)..payloadEnd];
        var signature = text[(payloadEnd + 1)..];
        if (!Base64UrlSegment.IsCanonical(header)
            || !Base64UrlSegment.IsCanonical(payload)
            || !Base64UrlSegment.IsCanonical(signature))
        {
            return ReasonCode.ClientJwtMalformed;
        }

        var headerRoom = default(JsonMembers);
        var payloadRoom = default(JsonMembers);
        Span<JsonMember> headerMembers = headerRoom[..HeaderNames.Length];
        Span<JsonMember> payloadMembers = payloadRoom[..PayloadNames.Length];
        var headerLength = Base64UrlSegment.DecodedLength(header);
        var decoded = ArrayPool<byte>.Shared.Rent(headerLength + Base64UrlSegment.DecodedLength(payload));
        try
        {
            var headerJson = decoded.AsMemory(0, headerLength);
            var payloadJson = decoded.AsMemory(headerLength, Base64UrlSegment.DecodedLength(payload));
            Base64UrlSegment.Decode(header, headerJson.Span);
            Base64UrlSegment.Decode(payload, payloadJson.Span);
            if (!StrictJson.TryRead(headerJson, HeaderNames, headerMembers)
                || !StrictJson.TryRead(payloadJson, PayloadNames, payloadMembers))
            {
                return ReasonCode.ClientJwtMalformed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }

        return ReadMembers(headerMembers, payloadMembers, text[..payloadEnd], signature);
    }

    private static Outcome<ClientJwt> ReadMembers(
        ReadOnlySpan<JsonMember> header, ReadOnlySpan<JsonMember> payload, ReadOnlySpan<char> signed, ReadOnlySpan<char> signature)
    {
        foreach (var rejected in header[FirstRejected..])
        {
            if (rejected.IsPresent)
            {
                return ReasonCode.ClientJwtMalformed;
            }
        }

        // An absent alg is read as absent, not as an error: the official Python clients send the header {}, and the
        // policy verifies such a token as RS256. A present alg must still be a string (null, a number or an array is
        // the wrong type), and its value is the policy's to judge.
        if (!(OptionalString(header[Alg], out var algorithm)
            && OptionalString(header[Kid], out var keyId)
            && OptionalString(header[Typ], out var type) && type is null or "JWT"
            // A token Microsoft.IdentityModel's JsonWebToken (8.23.0) could not parse stays malformed, though it is
            // no longer asked to: the payload's azp (OIDC) must be string or null, and the rules here are already
            // stricter about the rest. The header's cty and x5t, which it also typed, are ignored like every member
            // the contract does not name.
            && IsStringOrNull(payload[Azp])
            && TryGetString(payload[Iss], out var issuer) && issuer.Length > 0
            // RFC 7523 §3 B: a sub, when present, names the client itself.
            && OptionalString(payload[Sub], out var subject) && (subject is null || subject == issuer)
            // The contract wants exactly one audience as a string; an array is the wrong type.
            && TryGetString(payload[Aud], out var audience)
            && payload[Iat].Integer is { } issuedAt
            && payload[Exp].Integer is { } expiresAt
            && (!payload[Nbf].IsPresent || payload[Nbf].Integer is not null)
            && TryGetString(payload[Jti], out var id) && id.Length is > 0 and <= ClientJwtLimits.MaxJtiLength
            // A jti holding NUL could not be recorded (PostgreSQL text cannot store it): refused like an over-long one.
            && !id.Contains('\0', StringComparison.Ordinal)
            && TryGetString(payload[BodySha256], out var bodySha256)))
        {
            return ReasonCode.ClientJwtMalformed;
        }

        // RFC 7515 §5.2: the signature covers the ASCII of "header.payload" exactly as sent; both are kept as
        // bytes so that the signature check parses nothing again.
        var signingInput = new byte[signed.Length];
        Ascii.FromUtf16(signed, signingInput, out _);
        var signatureBytes = new byte[Base64UrlSegment.DecodedLength(signature)];
        Base64UrlSegment.Decode(signature, signatureBytes);
        return new ClientJwt(
            signingInput, signatureBytes, algorithm, keyId, issuer, audience, issuedAt, expiresAt, payload[Nbf].Integer,
            id, bodySha256);
    }

    private static bool TryGetString(JsonMember member, [NotNullWhen(true)] out string? value)
    {
        value = member.Text;
        return value is not null;
    }

    private static bool OptionalString(JsonMember member, out string? value)
    {
        value = member.Text;
        return !member.IsPresent || value is not null;
    }

    private static bool IsStringOrNull(JsonMember member) =>
        member.Type is JsonTokenType.None or JsonTokenType.String or JsonTokenType.Null;
}
