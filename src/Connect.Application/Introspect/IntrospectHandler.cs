namespace Connect.Application.Introspect;

public sealed class IntrospectHandler(
    SessionTokenGate gate,
    TimeProvider clock,
    IOptions<IntrospectOptions> options)
    : IRequestHandler<IntrospectQuery, Outcome<IntrospectResult>>
{
    public async Task<Outcome<IntrospectResult>> Handle(IntrospectQuery request, CancellationToken cancellationToken)
    {
        using var activity = ConnectTelemetry.Source.StartActivity("Introspect");

        // The token (its exp is not judged: an expired token still says what its session is), the session's budget,
        // then one round trip: the session with its application's status and the account's subject beside it, which
        // also confirms the keys the token verified under.
        var passed = await gate.ReadSessionAsync(SessionTokenKind.Access, request.AccessToken, judgeExpiry: false, activity, cancellationToken)
            .ConfigureAwait(false);
        if (!passed.Succeeded)
        {
            return passed.Failure;
        }

        var (token, session) = passed.Value;
        var status = SessionStatusRules.Judge(session, token, clock.GetUtcNow());
        activity?.SetTag("connect.session.status", status.ToString());
        return new IntrospectResult(status, options.Value.IntrospectRecheckSeconds);
    }
}
