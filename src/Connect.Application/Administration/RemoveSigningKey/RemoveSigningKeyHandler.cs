namespace Connect.Application.Administration.RemoveSigningKey;

public sealed class RemoveSigningKeyHandler(ISigningKeyStore store, SigningKeyFactory factory, TimeProvider clock, IOperatorAuditLog audit)
    : IRequestHandler<RemoveSigningKeyCommand, AdministrationOutcome<RemoveSigningKeyResult>>
{
    /// <remarks>
    /// Removing the current key is allowed (a leaked key must stop at once) and never leaves the application
    /// without one: the newest next key becomes current at once, or a fresh key does. Clients whose cached JWKS
    /// predates that key fail to verify new tokens until their cache expires; that is the price of a leak, and
    /// smaller than tokens signed by a leaked key.
    /// </remarks>
    public async Task<AdministrationOutcome<RemoveSigningKeyResult>> Handle(RemoveSigningKeyCommand request, CancellationToken cancellationToken)
    {
        var set = await store.LoadAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        if (set is null)
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        var now = clock.GetUtcNow();
        var target = set.Keys.FirstOrDefault(key => key.KeyId == request.KeyId && key.RemovedAt is null);
        if (target is null)
        {
            return AdministrationError.UnknownSigningKey(request.Anchor, request.KeyId);
        }

        string? promote = null;
        StoredSigningKey? replacement = null;
        if (SigningKeyLifecycle.StateOf(target, set.Keys, now) == SigningKeyState.Current)
        {
            var next = set.Keys.Where(key => SigningKeyLifecycle.StateOf(key, set.Keys, now) == SigningKeyState.Next).MaxBy(key => key.Generation);
            promote = next?.KeyId;
            replacement = next is null ? factory.Create(set.Application, SigningKeyLifecycle.NextGeneration(set.Keys), now, now) : null;
        }

        if (!await store.RemoveAsync(set.Application, target.KeyId, now, promote, replacement, cancellationToken).ConfigureAwait(false))
        {
            return AdministrationError.UnknownSigningKey(request.Anchor, request.KeyId);
        }

        await audit.RecordAsync(new OperatorAuditEvent(AuditKinds.SigningKeyRemoved, set.Anchor, target.KeyId), cancellationToken).ConfigureAwait(false);
        return new RemoveSigningKeyResult(set.Anchor, target.KeyId);
    }
}
