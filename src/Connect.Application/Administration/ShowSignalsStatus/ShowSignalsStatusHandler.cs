namespace Connect.Application.Administration.ShowSignalsStatus;

public sealed class ShowSignalsStatusHandler(ISignalReceiverRegistry receivers, TimeProvider clock)
    : IRequestHandler<ShowSignalsStatusQuery, AdministrationOutcome<SignalsStatus>>
{
    public async Task<AdministrationOutcome<SignalsStatus>> Handle(ShowSignalsStatusQuery request, CancellationToken cancellationToken)
    {
        // Every signal belongs to a receiver, so the totals are the receivers' sums.
        var listed = await receivers.StatusAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var each = listed.Select(receiver => new ReceiverSignalsStatus(receiver, AgeSeconds(receiver.OldestPendingCommittedAt, now))).ToList();
        return new SignalsStatus(
            listed.Sum(receiver => receiver.Pending),
            each.Count == 0 ? 0 : each.Max(receiver => receiver.OldestPendingSeconds),
            listed.Sum(receiver => receiver.DeadLetters),
            each);
    }

    // The database's clock wrote the time; a few milliseconds of skew must not read as a negative age.
    private static long AgeSeconds(DateTimeOffset? since, DateTimeOffset now) =>
        since is { } committed ? Math.Max(0, (long)Math.Floor((now - committed).TotalSeconds)) : 0;
}
