namespace Connect.Application.RevokeAll;

public sealed class RevokeAllHandler(IRefreshTokenRevoker revoker, IRecordingRevoker recordingRevoker)
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
        var caller = request.Caller;
        var subject = new SectorSubject(request.Subject!);
        if (caller.Unrecorded is { } unrecorded)
        {
            // The client JWT's replay record is written by the same statement: one transaction a request.
            var recorded = await recordingRevoker.RevokeAllActiveAsync(caller.Sector, subject, unrecorded.Use, cancellationToken)
                .ConfigureAwait(false);
            if (recorded.Recording == JtiRecording.FirstUse)
            {
                return Revoked(activity, recorded.RevokedCount);
            }

            // A replay, or an application changed since the kept copy accepted the token: nothing was revoked. The
            // policy decides the request again with its record written alone, so the answer is the one it gives any
            // request (ClientJwtReplayed, ApplicationDisabled, or the caller as the application now is).
            var decided = await unrecorded.RecordAsync(cancellationToken).ConfigureAwait(false);
            if (!decided.Succeeded)
            {
                return decided.Failure;
            }

            caller = decided.Value;
        }

        var revoked = await revoker.RevokeAllActiveAsync(caller.Sector, subject, caller.Id, cancellationToken).ConfigureAwait(false);
        return Revoked(activity, revoked);
    }

    private static RevokeAllResult Revoked(System.Diagnostics.Activity? activity, int? revoked)
    {
        activity?.SetTag("connect.account.found", revoked is not null);
        activity?.SetTag("connect.revoked_count", revoked ?? 0);
        return new RevokeAllResult(revoked ?? 0);
    }
}
