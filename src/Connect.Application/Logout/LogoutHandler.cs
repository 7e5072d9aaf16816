namespace Connect.Application.Logout;

public sealed class LogoutHandler(
    SessionTokenGate gate, IApplicationRateBudget budget, ISessionStore sessions, TimeProvider clock)
    : IRequestHandler<LogoutCommand, Outcome<LogoutResult>>
{
    private static readonly LogoutResult NotResolved = new(Revoked: false);
    private static readonly LogoutResult Revoked = new(Revoked: true);

    public async Task<Outcome<LogoutResult>> Handle(LogoutCommand request, CancellationToken cancellationToken)
    {
        // Neither the token nor its sid is a tag: whoever holds them could end (or look up) the session.
        using var activity = ConnectTelemetry.Source.StartActivity("Logout");

        // Malformed, the wrong kind, an unknown application or a bad signature, before or after the read confirmed the
        // keys the token verified under: all answer the same {"revoked":false}, without a write, so the answer says
        // nothing about which check failed. Only a spent budget is an error.
        var passed = await gate.ReadSessionAsync(SessionTokenKind.Refresh, request.RefreshToken, judgeExpiry: false, activity, cancellationToken)
            .ConfigureAwait(false);
        if (!passed.Succeeded)
        {
            return passed.Failure == ReasonCode.RateLimited ? Outcome<LogoutResult>.Failed(ReasonCode.RateLimited) : NotResolved;
        }

        // An older version is bound by its signature, sid and version; the current and previous ones by their
        // jti too. A version ahead of the session was never issued by it.
        var (token, session) = passed.Value;
        if (session is null || session.Application != token.Application
            || !RefreshRules.IsGenuineVersion(session, token.Claims.RotationVersion, token.Claims.TokenId))
        {
            return NotResolved;
        }

        // Idempotent: a session already revoked or expired is answered as ended, with no second audit row. The
        // end is one conditional statement with its audit row, so a concurrent refresh either rotated before it
        // (and the new version is revoked with the session) or finds the session revoked and rotates nothing.
        var id = session.Id;
        var now = clock.GetUtcNow();
        if (session.RevokedAt is null && now < session.ExpiresAt)
        {
            var ended = await sessions.EndAsync(id, SessionEndReason.Logout, now, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("connect.session.ended", ended);
        }

        budget.SessionEnded(id);

        return Revoked;
    }
}
