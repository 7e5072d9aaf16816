namespace Connect.Application.SessionClaims;

/// <summary>
/// Who holds the session a Bearer access token belongs to (docs/contract/sessions.md <c>GET /userinfo</c> and
/// <c>GET /claim-state</c>). Unlike introspection the token must be unexpired and its session active.
/// </summary>
/// <param name="AccessToken">The token from the <c>Authorization</c> header; <c>null</c> when there was none.</param>
public sealed record SessionClaimsQuery(string? AccessToken) : IRequest<Outcome<SessionClaimsResult>>;

/// <param name="Subject">The account's sector subject in the application's sector (the token's <c>sub</c>).</param>
public sealed record SessionClaimsResult(SectorSubject Subject);
