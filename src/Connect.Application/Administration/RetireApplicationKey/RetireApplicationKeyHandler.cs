namespace Connect.Application.Administration.RetireApplicationKey;

public sealed class RetireApplicationKeyHandler(IApplicationRegistry applications, IOperatorAuditLog audit)
    : IRequestHandler<RetireApplicationKeyCommand, AdministrationOutcome<RetireApplicationKeyResult>>
{
    /// <remarks>
    /// Retiring an application's last key is allowed: after a compromise the operator must be able to stop the
    /// key at once, before a replacement exists. Client JWTs then fail with ClientJwtInvalidSignature.
    /// </remarks>
    public async Task<AdministrationOutcome<RetireApplicationKeyResult>> Handle(
        RetireApplicationKeyCommand request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.Anchor);
        var key = new KeyId(request.KeyId);
        if (await applications.RetireKeyAsync(anchor, key, cancellationToken).ConfigureAwait(false))
        {
            await audit.RecordAsync(new OperatorAuditEvent(AuditKinds.ClientKeyRetired, anchor, key.Value), cancellationToken).ConfigureAwait(false);
            return new RetireApplicationKeyResult(anchor, key);
        }

        // Nothing was retired: say whether the application or only the key is unknown (or already retired).
        return await applications.FindAsync(anchor, cancellationToken).ConfigureAwait(false) is null
            ? AdministrationError.UnknownAnchor(request.Anchor)
            : AdministrationError.UnknownKey(request.Anchor, request.KeyId);
    }
}
