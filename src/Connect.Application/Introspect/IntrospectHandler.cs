using Connect.Application.Observability;
using Connect.Application.RateBudget;
using Connect.Application.SessionTokens;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using MediatR;
using Microsoft.Extensions.Options;

namespace Connect.Application.Introspect;

public sealed class IntrospectHandler(
    SessionTokenVerifier verifier,
    IApplicationRateBudget budget,
    VerifiedSessionReader sessions,
    TimeProvider clock,
    IOptions<IntrospectOptions> options)
    : IRequestHandler<IntrospectQuery, Outcome<IntrospectResult>>
{
    public async Task<Outcome<IntrospectResult>> Handle(IntrospectQuery request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = ConnectTelemetry.Source.StartActivity("Introspect");

        var verified = await verifier.VerifyAccessAsync(request.AccessToken, cancellationToken).ConfigureAwait(false);
        if (!verified.Succeeded)
        {
            return verified.Failure;
        }

        var token = verified.Value;
        activity?.SetTag("connect.application.anchor", token.Anchor.Value);
        // The session's own budget under the application's ceiling: one token cannot starve its application.
        if (!budget.TrySpend(token.Anchor, new SessionId(token.Claims.SessionId)))
        {
            return ReasonCode.RateLimited;
        }

        // One round trip: the session with its application's status and the account's subject beside it, and the
        // revision that confirms the keys the token verified under (verified again only when that moved on).
        var read = await sessions.ReadAsync(request.AccessToken, token, cancellationToken).ConfigureAwait(false);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var (confirmed, session) = read.Value;
        var now = clock.GetUtcNow();
        if (SessionStatusRules.HasEnded(session, now))
        {
            budget.SessionEnded(session!.Id);
        }

        var status = SessionStatusRules.Judge(session, confirmed, now);
        activity?.SetTag("connect.session.status", status.ToString());
        return new IntrospectResult(status, options.Value.IntrospectRecheckSeconds);
    }
}
