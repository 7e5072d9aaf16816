namespace Connect.Application.Administration.AddApplicationKey;

public sealed class AddApplicationKeyHandler(IApplicationRegistry applications, IOperatorAuditLog audit)
    : IRequestHandler<AddApplicationKeyCommand, AdministrationOutcome<AddApplicationKeyResult>>
{
    public async Task<AdministrationOutcome<AddApplicationKeyResult>> Handle(
        AddApplicationKeyCommand request, CancellationToken cancellationToken)
    {
        if (!ClientPublicKey.TryFromPem(request.PublicKeyPem, out var key, out var problem))
        {
            return AdministrationError.InvalidPublicKey(problem);
        }

        // Adding an active key again changes nothing (the call is idempotent); a retired key stays retired, since an
        // operator re-running provisioning with a leaked key's PEM must not quietly put it back in service.
        var anchor = new ApplicationAnchor(request.Anchor);
        var addition = await applications.AddKeyAsync(anchor, key, cancellationToken).ConfigureAwait(false);
        if (addition == KeyAddition.Added)
        {
            // Only a key that was added: adding an active key again changed nothing.
            await audit.RecordAsync(new OperatorAuditEvent(AuditKinds.ClientKeyAdded, anchor, key.Id.Value), cancellationToken).ConfigureAwait(false);
        }

        return addition switch
        {
            KeyAddition.Added or KeyAddition.AlreadyActive => new AddApplicationKeyResult(anchor, key.Id),
            KeyAddition.Retired => AdministrationError.KeyRetired(request.Anchor, key.Id),
            KeyAddition.TooManyKeys => AdministrationError.TooManyKeys(request.Anchor),
            _ => AdministrationError.UnknownAnchor(request.Anchor),
        };
    }
}
