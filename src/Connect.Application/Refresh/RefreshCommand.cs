namespace Connect.Application.Refresh;

/// <summary>Rotate a session: consume the presented refresh token's version and answer the next (docs/contract/sessions.md <c>/refresh</c>).</summary>
/// <param name="RefreshToken">The body's <c>refreshToken</c> as the client sent it (not yet validated).</param>
public sealed record RefreshCommand(string? RefreshToken) : IRequest<Outcome<RefreshResult>>;

/// <param name="AccessToken">A fresh access token of the session.</param>
/// <param name="RefreshToken">The refresh token of the session's current version: new on rotation, the byte-identical one on adoption.</param>
public sealed record RefreshResult(string AccessToken, string RefreshToken);
