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
    ISessionStore sessions,
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
        if (!budget.TrySpend(token.Anchor))
        {
            return ReasonCode.RateLimited;
        }

        // One round trip: the session with its application's status and the account's subject beside it.
        var session = await sessions.FindAsync(new SessionId(token.Claims.SessionId), cancellationToken).ConfigureAwait(false);
        var status = SessionStatusRules.Judge(session, token, clock.GetUtcNow());
        activity?.SetTag("connect.session.status", status.ToString());
        return new IntrospectResult(status, options.Value.IntrospectRecheckSeconds);
    }
}
