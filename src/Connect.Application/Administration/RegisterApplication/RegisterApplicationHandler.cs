namespace Connect.Application.Administration.RegisterApplication;

public sealed class RegisterApplicationHandler(
    IApplicationRegistry applications, ISigningKeyStore signingKeys, SigningKeyFactory signingKeyFactory,
    SigningKeyEncryption encryption, TimeProvider clock, IOperatorAuditLog audit)
    : IRequestHandler<RegisterApplicationCommand, AdministrationOutcome<RegisterApplicationResult>>
{
    public async Task<AdministrationOutcome<RegisterApplicationResult>> Handle(
        RegisterApplicationCommand request, CancellationToken cancellationToken)
    {
        if (!ClientPublicKey.TryFromPem(request.PublicKeyPem, out var key, out var problem))
        {
            return AdministrationError.InvalidPublicKey(problem);
        }

        // Checked before anything is written: an application is never registered without its token-signing key
        // because the key-encryption key was missing.
        encryption.EnsureConfigured();
        var anchor = new ApplicationAnchor(request.Anchor);
        SectorId sector;
        if (request.Sector is { } chosen)
        {
            if (!await applications.SectorExistsAsync(chosen, cancellationToken).ConfigureAwait(false))
            {
                return AdministrationError.UnknownSector(chosen);
            }

            sector = chosen;
        }
        else
        {
            // Checked first so that a taken anchor does not leave an empty sector behind; a registration racing
            // this one can still do so, which costs one unused row and nothing else.
            if (await applications.FindAsync(anchor, cancellationToken).ConfigureAwait(false) is not null)
            {
                return AdministrationError.AnchorTaken(request.Anchor);
            }

            sector = await applications.CreateSectorAsync(request.Anchor, cancellationToken).ConfigureAwait(false);
        }

        // The anchor's uniqueness is settled by the insert itself, never by the check above.
        if (await applications.RegisterAsync(anchor, sector, key, cancellationToken).ConfigureAwait(false) is not { } registered)
        {
            return AdministrationError.AnchorTaken(request.Anchor);
        }

        // Its first token-signing key, current at once. Should this step fail, the application still gets one on
        // first need (SigningKeyRing), so nothing is left half-done that an operator must repair.
        var now = clock.GetUtcNow();
        await signingKeys.AddAsync(signingKeyFactory.Create(registered, generation: 1, now, now), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(new OperatorAuditEvent(AuditKinds.ApplicationRegistered, anchor, key.Id.Value), cancellationToken).ConfigureAwait(false);
        return new RegisterApplicationResult(anchor, sector, key.Id);
    }
}
