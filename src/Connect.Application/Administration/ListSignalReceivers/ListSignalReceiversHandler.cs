namespace Connect.Application.Administration.ListSignalReceivers;

public sealed class ListSignalReceiversHandler(ISignalReceiverRegistry receivers)
    : IRequestHandler<ListSignalReceiversQuery, AdministrationOutcome<SignalReceiverList>>
{
    public async Task<AdministrationOutcome<SignalReceiverList>> Handle(
        ListSignalReceiversQuery request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.Anchor);
        var listed = await receivers.ListAsync(anchor, cancellationToken).ConfigureAwait(false);
        return listed is null ? AdministrationError.UnknownAnchor(request.Anchor) : new SignalReceiverList(anchor, listed);
    }
}
