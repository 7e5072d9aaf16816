using Connect.Application.Observability;
using Connect.Domain.Sessions;

namespace Connect.Application.RevokeAll;

public sealed class RevokeAllHandler(IRefreshTokenRevoker revoker)
    : IRequestHandler<RevokeAllCommand, Outcome<RevokeAllResult>>
{
    public async Task<Outcome<RevokeAllResult>> Handle(RevokeAllCommand request, CancellationToken cancellationToken)
    {
        // The subject is never a tag: a span may leave the process, and the subject names a person.
        using var activity = ConnectTelemetry.Source.StartActivity("RevokeAll");
        activity?.SetTag("connect.application.anchor", request.Caller.Anchor.Value);

        // Only the caller's own sector is searched: a subject from another sector is indistinguishable from
        // one never issued, and both answer 0 so the endpoint cannot probe which subjects exist. The lookup and the
        // revocation are one statement (one round trip to the database).
        var revoked = await revoker
            .RevokeAllActiveAsync(request.Caller.Sector, new SectorSubject(request.Subject!), request.Caller.Id, cancellationToken)
            .ConfigureAwait(false);
        activity?.SetTag("connect.account.found", revoked is not null);
        activity?.SetTag("connect.revoked_count", revoked ?? 0);
        return new RevokeAllResult(revoked ?? 0);
    }
}
