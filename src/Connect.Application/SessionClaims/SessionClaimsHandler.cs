namespace Connect.Application.SessionClaims;

/// <summary>
/// Every failure is a reason the endpoint answers as <c>invalid_token</c> (RFC 6750 §3.1): a missing, malformed or
/// forged token, an expired one, and a session that is not active all look the same to the caller.
/// </summary>
public sealed class SessionClaimsHandler(SessionTokenGate gate, TimeProvider clock)
    : IRequestHandler<SessionClaimsQuery, Outcome<SessionClaimsResult>>
{
    public async Task<Outcome<SessionClaimsResult>> Handle(SessionClaimsQuery request, CancellationToken cancellationToken)
    {
        using var activity = ConnectTelemetry.Source.StartActivity("SessionClaims");

        // The token and its own exp (before any session read, which an expired token makes pointless), the session's
        // budget, then one round trip that also confirms the keys the token verified under.
        var passed = await gate.ReadSessionAsync(SessionTokenKind.Access, request.AccessToken, judgeExpiry: true, activity, cancellationToken)
            .ConfigureAwait(false);
        if (!passed.Succeeded)
        {
            return passed.Failure;
        }

        var (token, session) = passed.Value;
        if (SessionStatusRules.Judge(session, token, clock.GetUtcNow()) != SessionStatus.Active)
        {
            return ReasonCode.AccessTokenInvalid;
        }

        return new SessionClaimsResult(session!.Subject!.Value);
    }
}
