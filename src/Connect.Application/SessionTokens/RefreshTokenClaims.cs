namespace Connect.Application.SessionTokens;

/// <summary>
/// The payload of a refresh token, exactly the members of docs/contract/sessions.md in its order. Times are UNIX seconds. It
/// carries no subject: the session it names holds the account.
/// </summary>
/// <param name="Issuer"><c>iss</c>: the service's issuer.</param>
/// <param name="Audience"><c>aud</c>: the application anchor.</param>
/// <param name="SessionId"><c>sid</c>: the same in every token of the session.</param>
/// <param name="TokenId"><c>jti</c>: the one its version was issued with.</param>
/// <param name="IssuedAt"><c>iat</c>.</param>
/// <param name="ExpiresAt"><c>exp</c>: the session's expiry (rotation never extends a session).</param>
/// <param name="RotationVersion"><c>rotationVersion</c>: the session version this token belongs to, at least 1.</param>
public sealed record RefreshTokenClaims(
    string Issuer,
    string Audience,
    string SessionId,
    string TokenId,
    long IssuedAt,
    long ExpiresAt,
    int RotationVersion) : ISessionTokenClaims;
