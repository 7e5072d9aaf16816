namespace Connect.Application.SessionTokens;

/// <summary>
/// The payload of an access token, exactly the members of docs/contract/sessions.md in its order. Times are UNIX seconds.
/// </summary>
/// <param name="Issuer"><c>iss</c>: the service's issuer.</param>
/// <param name="Audience"><c>aud</c>: the application anchor.</param>
/// <param name="Subject"><c>sub</c>: the account's sector subject in the application's sector.</param>
/// <param name="SessionId"><c>sid</c>: the same in every token of the session.</param>
/// <param name="TokenId"><c>jti</c>: unique per token.</param>
/// <param name="IssuedAt"><c>iat</c>.</param>
/// <param name="ExpiresAt"><c>exp</c>: never after the session's expiry.</param>
public sealed record AccessTokenClaims(
    string Issuer,
    string Audience,
    string Subject,
    string SessionId,
    string TokenId,
    long IssuedAt,
    long ExpiresAt) : ISessionTokenClaims;
