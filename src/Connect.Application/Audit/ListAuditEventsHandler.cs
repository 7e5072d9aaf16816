using Connect.Application.Observability;

namespace Connect.Application.Audit;

public sealed class ListAuditEventsHandler(IRevocationAuditLog audit)
    : UseCaseHandler<ListAuditEventsQuery, Outcome<AuditEventList>>
{
    protected override async Task<Outcome<AuditEventList>> RunAsync(ListAuditEventsQuery request, CancellationToken cancellationToken)
    {

        using var activity = ConnectTelemetry.Source.StartActivity("ListAuditEvents");
        var events = await audit.ListNewestFirstAsync(request.Anchor, request.Limit, cancellationToken).ConfigureAwait(false);
        return events is null ? new AuditEventList([], UnknownAnchor: true) : new AuditEventList(events);
    }
}
