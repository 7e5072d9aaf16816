namespace Connect.Application.Administration.SetApplicationEnabled;

public sealed class SetApplicationEnabledHandler(IApplicationRegistry applications, IOperatorAuditLog audit)
    : IRequestHandler<SetApplicationEnabledCommand, AdministrationOutcome<SetApplicationEnabledResult>>
{
    public async Task<AdministrationOutcome<SetApplicationEnabledResult>> Handle(
        SetApplicationEnabledCommand request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.Anchor);
        if (!await applications.SetEnabledAsync(anchor, request.Enabled, cancellationToken).ConfigureAwait(false))
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        // Audited also when the status was already the one asked for: the operator's decision is the event.
        var kind = request.Enabled ? AuditKinds.ApplicationEnabled : AuditKinds.ApplicationDisabled;
        await audit.RecordAsync(new OperatorAuditEvent(kind, anchor), cancellationToken).ConfigureAwait(false);
        return new SetApplicationEnabledResult(anchor, request.Enabled);
    }
}
