namespace Connect.Application.ClientAuthentication;

/// <summary>Configurable parts of the client-JWT rules (configuration section <c>Connect:ClientJwt</c>).</summary>
public sealed class ClientJwtOptions
{
    public const string SectionName = "Connect:ClientJwt";

    /// <summary>The audience of the Connect API generation of clients (docs/contract/revoke-all.md), answered <c>{"revokedCount":n}</c>.</summary>
    public const string ConnectAudience = "sudomimus-connect";

    /// <summary>The audience of the Session API generation of clients (docs/contract/sessions.md), answered <c>{"revoked":true}</c>.</summary>
    public const string SessionAudience = "sudomimus-session";

    /// <summary>Accepted whatever the configuration says: the official clients of both generations send them.</summary>
    public static IReadOnlyList<string> DefaultAudiences { get; } = [ConnectAudience, SessionAudience];

    /// <summary>Audiences an operator accepts in addition to <see cref="DefaultAudiences"/>, matched exactly.</summary>
    public IList<string> AcceptedAudiences { get; } = [];

    internal IReadOnlySet<string> EffectiveAudiences =>
        new HashSet<string>(AcceptedAudiences.Concat(DefaultAudiences), StringComparer.Ordinal);
}

/// <summary>The fixed numbers of the contract's client-authentication section.</summary>
public static class ClientJwtLimits
{
    /// <summary>How far <c>iat</c> and <c>nbf</c> may lie in the future; also how long past exp a jti is kept.</summary>
    public const long AllowedSkewSeconds = 30;

    /// <summary>The longest allowed <c>exp - iat</c>.</summary>
    public const long MaxLifetimeSeconds = 60;

    /// <summary>
    /// The largest client JWT, in bytes of its UTF-8 (docs/contract/revoke-all.md: 4 KiB); a longer one is
    /// <c>ClientJwtMalformed</c> before it is decoded. Measure a token only with <see cref="IsWithinMaxLength"/>,
    /// never with <see cref="string.Length"/>.
    /// </summary>
    public const int MaxTokenBytes = 4096;

    /// <summary>The old name of <see cref="MaxTokenBytes"/>, still read by the OpenAPI document's words (which say
    /// bytes); compare nothing with it.</summary>
    public const int MaxTokenLength = MaxTokenBytes;

    public const int MaxJtiLength = 128;

    /// <summary>
    /// The one length rule of a client JWT, the same count as a session token's
    /// (<see cref="SessionTokens.SessionTokenLimits.IsWithinMaxLength"/>): at most <see cref="MaxTokenBytes"/> bytes
    /// of UTF-8.
    /// </summary>
    public static bool IsWithinMaxLength(ReadOnlySpan<char> token) => CompactJws.IsWithinBytes(token, MaxTokenBytes);
}
