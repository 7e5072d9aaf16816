namespace Connect.Application.Logout;

/// <summary>
/// End the session a refresh token belongs to (docs/contract/sessions.md <c>POST /logout</c>): possession of a genuine refresh
/// token of any version up to the current one authorizes it; no client JWT.
/// </summary>
/// <param name="RefreshToken">The refresh token as the body carried it (not yet validated).</param>
public sealed record LogoutCommand(string? RefreshToken) : IRequest<Outcome<LogoutResult>>;

/// <param name="Revoked">
/// <c>true</c> when the session is revoked now or was already revoked or expired; <c>false</c> when the token does
/// not resolve to a session, whatever the cause (nothing reveals which).
/// </param>
public sealed record LogoutResult(bool Revoked);
