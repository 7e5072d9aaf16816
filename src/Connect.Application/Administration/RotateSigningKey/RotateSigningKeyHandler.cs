namespace Connect.Application.Administration.RotateSigningKey;

public sealed class RotateSigningKeyHandler(
    ISigningKeyStore store, SigningKeyFactory factory, TimeProvider clock, IOptions<SigningKeyOptions> options, IOperatorAuditLog audit)
    : IRequestHandler<RotateSigningKeyCommand, AdministrationOutcome<RotateSigningKeyResult>>
{
    public async Task<AdministrationOutcome<RotateSigningKeyResult>> Handle(RotateSigningKeyCommand request, CancellationToken cancellationToken)
    {
        var set = await store.LoadAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        if (set is null)
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        var now = clock.GetUtcNow();
        if (SigningKeyLifecycle.Published(set.Keys, now).Count >= SigningKeyLifecycle.MaxPublishedKeys)
        {
            return AdministrationError.TooManySigningKeys(request.Anchor, SigningKeyLifecycle.MaxPublishedKeys);
        }

        // Published from now; signs only once every client's cached JWKS (max-age) has had the chance to hold it.
        // An application without any key yet (registered before signing keys) gets one current at once instead.
        var currentFrom = SigningKeyLifecycle.Current(set.Keys, now) is null ? now : now + options.Value.PublicationDelay;
        var key = factory.Create(set.Application, SigningKeyLifecycle.NextGeneration(set.Keys), now, currentFrom);

        // The generation is unique: a rotation racing this one wins or loses whole, and the bound above cannot be
        // passed by two rotations that both read 31 keys.
        if (!await store.AddAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return AdministrationError.SigningKeyRaced(request.Anchor);
        }

        await audit.RecordAsync(new OperatorAuditEvent(AuditKinds.SigningKeyRotated, set.Anchor, key.KeyId), cancellationToken).ConfigureAwait(false);
        return new RotateSigningKeyResult(set.Anchor, key.KeyId, key.CurrentFrom);
    }
}
