namespace Connect.Application.Audit;

public sealed class ListAuditEventsHandler(IRevocationAuditLog audit) : IRequestHandler<ListAuditEventsQuery, Outcome<AuditEventList>>
{
    public async Task<Outcome<AuditEventList>> Handle(ListAuditEventsQuery request, CancellationToken cancellationToken)
    {
        using var activity = ConnectTelemetry.Source.StartActivity("ListAuditEvents");
        var events = await audit.ListNewestFirstAsync(request.Anchor, request.Limit, cancellationToken).ConfigureAwait(false);
        return events is null ? new AuditEventList([], UnknownAnchor: true) : new AuditEventList(events);
    }
}
