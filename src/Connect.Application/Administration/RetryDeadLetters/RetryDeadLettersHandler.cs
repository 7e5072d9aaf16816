using Connect.Application.Signals;

namespace Connect.Application.Administration.RetryDeadLetters;

public sealed class RetryDeadLettersHandler(ISignalReceiverRegistry receivers)
    : AdministrationHandler<RetryDeadLettersCommand, RetryDeadLettersResult>
{
    protected override async Task<AdministrationOutcome<RetryDeadLettersResult>> RunAsync(RetryDeadLettersCommand request, CancellationToken cancellationToken)
    {
        var requeued = await receivers.RequeueDeadLettersAsync(request.Receiver, cancellationToken).ConfigureAwait(false);
        return requeued is { } count
            ? new RetryDeadLettersResult(request.Receiver, count)
            : AdministrationError.UnknownReceiver(request.Receiver);
    }
}
