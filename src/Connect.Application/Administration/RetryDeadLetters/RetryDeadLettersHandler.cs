namespace Connect.Application.Administration.RetryDeadLetters;

public sealed class RetryDeadLettersHandler(ISignalReceiverRegistry receivers)
    : IRequestHandler<RetryDeadLettersCommand, AdministrationOutcome<RetryDeadLettersResult>>
{
    public async Task<AdministrationOutcome<RetryDeadLettersResult>> Handle(
        RetryDeadLettersCommand request, CancellationToken cancellationToken)
    {
        var requeued = await receivers.RequeueDeadLettersAsync(request.Receiver, cancellationToken).ConfigureAwait(false);
        return requeued is { } count
            ? new RetryDeadLettersResult(request.Receiver, count)
            : AdministrationError.UnknownReceiver(request.Receiver);
    }
}
