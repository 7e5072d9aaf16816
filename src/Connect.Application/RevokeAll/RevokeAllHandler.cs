using Connect.Application.Observability;
using Connect.Domain.Sessions;

namespace Connect.Application.RevokeAll;

public sealed class RevokeAllHandler(ISectorSubjectMap subjects, IRefreshTokenRevoker revoker)
    : IRequestHandler<RevokeAllCommand, Outcome<RevokeAllResult>>
{
    public async Task<Outcome<RevokeAllResult>> Handle(RevokeAllCommand request, CancellationToken cancellationToken)
    {
        // The subject is never a tag: a span may leave the process, and the subject names a person.
        using var activity = ConnectTelemetry.Source.StartActivity("RevokeAll");
        activity?.SetTag("connect.application.anchor", request.Caller.Anchor.Value);

        // Only the caller's own sector is searched: a subject from another sector is indistinguishable from
        // one never issued, and both answer 0 so the endpoint cannot probe which subjects exist.
        var account = await subjects
            .FindAccountAsync(request.Caller.Sector, new SectorSubject(request.Subject!), cancellationToken)
            .ConfigureAwait(false);
        activity?.SetTag("connect.account.found", account is not null);
        if (account is null)
        {
            return new RevokeAllResult(0);
        }

        var revoked = await revoker
            .RevokeAllActiveAsync(account.Value, request.Caller.Id, cancellationToken)
            .ConfigureAwait(false);
        activity?.SetTag("connect.revoked_count", revoked);
        return new RevokeAllResult(revoked);
    }
}
