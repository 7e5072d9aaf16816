namespace Connect.Application.Administration.RemoveSignalReceiver;

public sealed class RemoveSignalReceiverHandler(ISignalReceiverRegistry receivers)
    : IRequestHandler<RemoveSignalReceiverCommand, AdministrationOutcome<RemoveSignalReceiverResult>>
{
    public async Task<AdministrationOutcome<RemoveSignalReceiverResult>> Handle(
        RemoveSignalReceiverCommand request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.Anchor);

        // Another application's receiver is unknown under this anchor: the anchor scopes the removal.
        var removal = await receivers.RemoveAsync(anchor, request.Receiver, cancellationToken).ConfigureAwait(false);
        return removal.Outcome switch
        {
            ReceiverRemovalOutcome.UnknownAnchor => AdministrationError.UnknownAnchor(request.Anchor),
            ReceiverRemovalOutcome.UnknownReceiver => AdministrationError.UnknownReceiver(request.Anchor, request.Receiver),
            _ => new RemoveSignalReceiverResult(anchor, request.Receiver, removal.SignalsDropped),
        };
    }
}
