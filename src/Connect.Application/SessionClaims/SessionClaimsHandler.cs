using Connect.Application.Introspect;
using Connect.Application.Observability;
using Connect.Application.RateBudget;
using Connect.Application.SessionTokens;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using MediatR;

namespace Connect.Application.SessionClaims;

/// <summary>
/// Every failure is a reason the endpoint answers as <c>invalid_token</c> (RFC 6750 §3.1): a missing, malformed or
/// forged token, an expired one, and a session that is not active all look the same to the caller.
/// </summary>
public sealed class SessionClaimsHandler(
    SessionTokenVerifier verifier, IApplicationRateBudget budget, VerifiedSessionReader sessions, TimeProvider clock)
    : IRequestHandler<SessionClaimsQuery, Outcome<SessionClaimsResult>>
{
    public async Task<Outcome<SessionClaimsResult>> Handle(SessionClaimsQuery request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = ConnectTelemetry.Source.StartActivity("SessionClaims");

        var verified = await verifier.VerifyAccessAsync(request.AccessToken, cancellationToken).ConfigureAwait(false);
        if (!verified.Succeeded)
        {
            return verified.Failure;
        }

        // The token's own exp, on the injected clock; judged before any session read, which it makes pointless.
        var token = verified.Value;
        activity?.SetTag("connect.application.anchor", token.Anchor.Value);
        var now = clock.GetUtcNow();
        if (now.ToUnixTimeSeconds() >= token.Claims.ExpiresAt)
        {
            return ReasonCode.AccessTokenInvalid;
        }

        // The session's own budget under the application's ceiling, spent once the token proved which application
        // and session it comes for.
        if (!budget.TrySpend(token.Anchor, new SessionId(token.Claims.SessionId)))
        {
            return ReasonCode.RateLimited;
        }

        // One round trip, which also confirms the keys the token verified under.
        var read = await sessions.ReadAsync(request.AccessToken, token, cancellationToken).ConfigureAwait(false);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var (confirmed, session) = read.Value;
        if (SessionStatusRules.HasEnded(session, now))
        {
            budget.SessionEnded(session!.Id);
        }

        if (SessionStatusRules.Judge(session, confirmed, now) != SessionStatus.Active)
        {
            return ReasonCode.AccessTokenInvalid;
        }

        return new SessionClaimsResult(session!.Subject!.Value);
    }
}
