namespace Connect.Application.SessionTokens;

/// <summary>What the claims of every session token hold, whichever its kind: all <see cref="SessionTokenGate"/> reads.</summary>
public interface ISessionTokenClaims
{
    /// <summary><c>iss</c>.</summary>
    string Issuer { get; }

    /// <summary><c>aud</c>: the application anchor.</summary>
    string Audience { get; }

    /// <summary><c>sid</c>.</summary>
    string SessionId { get; }

    /// <summary><c>jti</c>.</summary>
    string TokenId { get; }

    /// <summary><c>exp</c>, UNIX seconds.</summary>
    long ExpiresAt { get; }
}

/// <summary>
/// One kind of session token as data: how the codec reads it (its <c>typ</c>) and the reason each failure of the
/// gate's checks answers. The access and refresh tokens differ in nothing else the gate does.
/// </summary>
public sealed class SessionTokenKind<TClaims>
    where TClaims : class, ISessionTokenClaims
{
    private readonly string _name;
    private readonly Func<SessionTokenCodec, string?, Outcome<UnverifiedSessionToken<TClaims>>> _read;

    internal SessionTokenKind(
        string name, Func<SessionTokenCodec, string?, Outcome<UnverifiedSessionToken<TClaims>>> read, ReasonCode invalid,
        ReasonCode invalidSignature)
    {
        _name = name;
        _read = read;
        Invalid = invalid;
        InvalidSignature = invalidSignature;
    }

    /// <summary>Another issuer, an application its <c>aud</c> does not name (or no longer does), or, where the endpoint
    /// judges it, an <c>exp</c> past; the codec's own refusals of the structure are its reasons as they are.</summary>
    public ReasonCode Invalid { get; }

    /// <summary>No published key of the application under the token's <c>kid</c> verifies its signature.</summary>
    public ReasonCode InvalidSignature { get; }

    internal Outcome<UnverifiedSessionToken<TClaims>> Read(SessionTokenCodec codec, string? token) => _read(codec, token);

    public override string ToString() => _name;
}

/// <summary>The two kinds of session token of docs/contract/sessions.md.</summary>
public static class SessionTokenKind
{
    /// <summary>An access token (<c>/introspect</c>, <c>/userinfo</c>, <c>/claim-state</c>).</summary>
    public static SessionTokenKind<AccessTokenClaims> Access { get; } = new(
        "access", static (codec, token) => codec.ReadAccess(token), ReasonCode.AccessTokenInvalid, ReasonCode.AccessTokenInvalidSignature);

    /// <summary>A refresh token (<c>/refresh</c>, <c>/logout</c>); the codec also answers <c>RefreshTokenInvalidType</c>.</summary>
    public static SessionTokenKind<RefreshTokenClaims> Refresh { get; } = new(
        "refresh", static (codec, token) => codec.ReadRefresh(token), ReasonCode.RefreshTokenInvalid, ReasonCode.RefreshTokenInvalidSignature);
}
