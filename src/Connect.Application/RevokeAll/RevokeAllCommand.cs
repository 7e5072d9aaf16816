namespace Connect.Application.RevokeAll;

/// <summary>Log one account out everywhere, for the calling application only.</summary>
/// <param name="Caller">The authenticated application; its sector scopes the subject, its id the tokens.</param>
/// <param name="Subject">The sector subject as the application sent it (not yet validated).</param>
public sealed record RevokeAllCommand(AuthenticatedApplication Caller, string? Subject)
    : IRequest<Outcome<RevokeAllResult>>;

/// <param name="RevokedCount">How many refresh tokens this call revoked.</param>
public sealed record RevokeAllResult(int RevokedCount);
