namespace Connect.Application.Administration.UpdateApplication;

public sealed class UpdateApplicationHandler(IApplicationRegistry applications, IOperatorAuditLog audit)
    : IRequestHandler<UpdateApplicationCommand, AdministrationOutcome<ApplicationSignInSettings>>
{
    public async Task<AdministrationOutcome<ApplicationSignInSettings>> Handle(
        UpdateApplicationCommand request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.Anchor);

        // The validator accepted every host; stored as matched, each once, in the order given.
        var hosts = request.CallbackHosts?
            .Select(host => CallbackHost.TryNormalize(host, out var normalized, out _) ? normalized : host)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var changes = new ApplicationChanges(request.Name, request.SignUpOpen, hosts);

        // Nothing asked to change: answer the settings as they are, and there is no decision to audit.
        var settings = changes.IsEmpty
            ? await applications.FindSignInSettingsAsync(anchor, cancellationToken).ConfigureAwait(false)
            : await applications.UpdateAsync(anchor, changes, cancellationToken).ConfigureAwait(false);
        if (settings is null)
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        if (!changes.IsEmpty)
        {
            await audit.RecordAsync(new OperatorAuditEvent(AuditKinds.ApplicationUpdated, anchor), cancellationToken)
                .ConfigureAwait(false);
        }

        return settings;
    }
}
