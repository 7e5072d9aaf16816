namespace Connect.Application.Administration.IssueSessions;

public sealed class IssueSessionsHandler(
    IApplicationRegistry applications,
    IAccountRegistry accounts,
    ISessionStore sessions,
    ICurrentSigningKey signingKeys,
    SessionTokenCodec tokens,
    TimeProvider clock)
    : IRequestHandler<IssueSessionsCommand, AdministrationOutcome<IssueSessionsResult>>
{
    public async Task<AdministrationOutcome<IssueSessionsResult>> Handle(
        IssueSessionsCommand request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.Anchor);
        if (await applications.FindAsync(anchor, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        var (application, sector) = found;

        // Created on first need, the same on every later call: the sub of the session's access tokens. None for an
        // unknown or deleted account.
        if (await accounts.IssueSubjectAsync(request.Account, sector, cancellationToken).ConfigureAwait(false) is not { } subject)
        {
            return await RefusalAsync(request.Account, cancellationToken).ConfigureAwait(false);
        }

        // Whole seconds, as the tokens carry them: the refresh token's exp is exactly the session's expiry.
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds());
        var expiresAt = issuedAt.AddSeconds(request.ExpiresInSeconds);
        var key = await signingKeys.GetCurrentSigningKeyAsync(application, expiresAt, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        var issued = Enumerable.Range(0, request.Count).Select(_ =>
        {
            var sessionId = SessionTokenCodec.NewOpaqueId();
            return (
                Id: new SessionId(sessionId),
                // The stored issue time is this iat, to the second, so that adoption can re-sign these exact claims.
                Refresh: new RefreshTokenClaims(
                    tokens.Issuer, anchor.Value, sessionId, SessionTokenCodec.NewOpaqueId(), issuedAt.ToUnixTimeSeconds(),
                    expiresAt.ToUnixTimeSeconds(), RotationVersion: 1),
                Access: tokens.NewAccessClaims(anchor, subject, sessionId, expiresAt));
        }).ToList();

        // Stored before any token is handed out: a token never names a session that does not exist.
        var stored = await sessions.IssueAsync(
            new NewSessions(
                request.Account, application, issuedAt, expiresAt, key.KeyId,
                [.. issued.Select(session => (session.Id, session.Refresh.TokenId))]),
            cancellationToken).ConfigureAwait(false);
        if (!stored)
        {
            // A disabled or deleted account gets no new session: the store judges it under a lock on the account.
            return await RefusalAsync(request.Account, cancellationToken).ConfigureAwait(false);
        }

        return new IssueSessionsResult(
            issued.Count,
            [.. issued.Select(session => new IssuedSession(
                session.Id.Value, tokens.Mint(session.Access, key), tokens.Mint(session.Refresh, key)))]);
    }

    private async Task<AdministrationError> RefusalAsync(AccountId account, CancellationToken cancellationToken) =>
        AdministrationError.Unusable(account, await accounts.GetStatusAsync(account, cancellationToken).ConfigureAwait(false))
        ?? AdministrationError.AccountDisabled(account);
}
