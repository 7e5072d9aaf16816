namespace Connect.Application.Administration.AddSignalReceiver;

public sealed class AddSignalReceiverHandler(ISignalReceiverRegistry receivers, IOptions<SignalOptions> options)
    : IRequestHandler<AddSignalReceiverCommand, AdministrationOutcome<AddSignalReceiverResult>>
{
    public async Task<AdministrationOutcome<AddSignalReceiverResult>> Handle(
        AddSignalReceiverCommand request, CancellationToken cancellationToken)
    {
        // The host is not resolved here: the delivery worker checks each address it resolves to, when it sends.
        if (ReceiverUrlPolicy.FindProblem(request.Url, options.Value.AllowLoopbackReceivers) is { } problem)
        {
            return AdministrationError.InvalidReceiverUrl(problem);
        }

        if (!SignalNames.TryParseFormat(request.Format, out var format))
        {
            // The validator refuses it first; a caller that skipped the pipeline gets the same answer.
            return AdministrationError.InvalidArgument($"the format must be {SignalNames.BackchannelLogout} or {SignalNames.Caep}");
        }

        var anchor = new ApplicationAnchor(request.Anchor);
        var audience = request.Audience ?? request.Anchor;
        var addition = await receivers.AddAsync(
            anchor, request.Url, format, audience, AddSignalReceiverCommand.MaxPerApplication, cancellationToken).ConfigureAwait(false);
        return addition.Outcome switch
        {
            ReceiverAdditionOutcome.UnknownAnchor => AdministrationError.UnknownAnchor(request.Anchor),
            ReceiverAdditionOutcome.TooManyReceivers => AdministrationError.TooManyReceivers(request.Anchor, AddSignalReceiverCommand.MaxPerApplication),
            _ => new AddSignalReceiverResult(anchor, addition.Receiver, request.Url, format, audience),
        };
    }
}
