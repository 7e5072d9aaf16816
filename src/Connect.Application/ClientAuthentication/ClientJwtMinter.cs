namespace Connect.Application.ClientAuthentication;

/// <summary>
/// Mints a client JWT exactly as the official SDKs do (docs/contract/revoke-all.md), for the callers that play the
/// application: the CLI demo, the cluster drill, the benchmarks and the tests. It lives next to
/// <see cref="ClientJwtPolicy"/>, the one reader of what it writes, and writes through the same
/// <see cref="CompactJws"/> as every token the service signs. Header <c>{"alg":"RS256","typ":"JWT"}</c> (plus
/// <c>kid</c> when given); payload <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>exp</c> = iat + 60, a fresh UUID <c>jti</c>, and
/// <c>body_sha256</c> over the exact body bytes that will be sent.
/// </summary>
public static class ClientJwtMinter
{
    public const string Type = "JWT";

    /// <summary>The longest lifetime the SDKs allow and the policy accepts (the C# SDK's default is 30 s).</summary>
    public const long LifetimeSeconds = ClientJwtLimits.MaxLifetimeSeconds;

    /// <param name="anchor">The application anchor, the token's <c>iss</c>.</param>
    /// <param name="privateKey">The private half of one of the application's registered client-auth keys (2048 to 4096 bits).</param>
    /// <param name="body">The exact bytes of the request body the token goes with.</param>
    /// <param name="keyId">The registered key's id for the header's <c>kid</c>; the SDKs send none, so none by default.</param>
    /// <param name="audience">The <c>aud</c>: the Session API generation of clients sends <c>sudomimus-session</c>.</param>
    public static string Mint(
        string anchor,
        RSA privateKey,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        string? keyId = null,
        string audience = ClientJwtOptions.ConnectAudience)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(audience);
        var issuedAt = now.ToUnixTimeSeconds();
        // A random UUID, as all three SDKs draw it (C# Guid, TypeScript randomUUID, Python uuid4).
        var jti = Guid.NewGuid().ToString("D");
        var bodySha256 = BodySha256(body);
        return CompactJws.SignRs256(
            privateKey,
            header =>
            {
                header.WriteString("typ"u8, Type);
                if (keyId is not null)
                {
                    header.WriteString("kid"u8, keyId);
                }
            },
            payload =>
            {
                payload.WriteString("iss"u8, anchor);
                payload.WriteString("aud"u8, audience);
                payload.WriteNumber("iat"u8, issuedAt);
                payload.WriteNumber("exp"u8, issuedAt + LifetimeSeconds);
                payload.WriteString("jti"u8, jti);
                payload.WriteString("body_sha256"u8, bodySha256);
            });
    }

    /// <summary>The <c>body_sha256</c> claim: standard base64, with padding, of SHA-256 over the body's bytes.</summary>
    public static string BodySha256(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));
}
