namespace Connect.Application.Introspect;

/// <summary>
/// Describe the session an access token belongs to (docs/contract/sessions.md <c>POST /introspect</c>). The token authenticates
/// itself by its signature; its own <c>exp</c> is not enforced: the answer is about the session.
/// </summary>
/// <param name="AccessToken">The access token as the body carried it (not yet validated).</param>
public sealed record IntrospectQuery(string? AccessToken) : IRequest<Outcome<IntrospectResult>>;

/// <param name="RecommendedRecheckSeconds">How long the caller may keep this answer.</param>
public sealed record IntrospectResult(SessionStatus Status, int RecommendedRecheckSeconds);
