namespace Connect.Application.Signals;

/// <summary>
/// The outbox of signals owed to receivers (docs/contract/signals.md "Delivery"), as the delivery worker uses it:
/// claim under a lease, then write back exactly one outcome per claim. Each write is fenced by the claim's
/// <see cref="SignalLease"/> and answers whether it landed.
/// </summary>
public interface ISignalOutbox
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due pending signals for <paramref name="instance"/> (skipping those
    /// another instance is claiming at this moment), moves each one's due time to the end of <paramref name="lease"/>
    /// and counts the attempt. A receiver gets no more than <paramref name="perReceiverCap"/> minus its count in
    /// <paramref name="inFlight"/>, so one receiver's backlog never takes every slot.
    /// </summary>
    Task<IReadOnlyList<DueSignal>> ClaimDueAsync(
        string instance, int limit, TimeSpan lease, IReadOnlyDictionary<ReceiverId, int> inFlight, int perReceiverCap,
        CancellationToken cancellationToken);

    /// <summary>Removes a delivered signal.</summary>
    /// <returns>The time from its commit to now, or <c>null</c> when the claim no longer holds it.</returns>
    Task<TimeSpan?> RecordDeliveredAsync(SignalLease lease, CancellationToken cancellationToken);

    /// <returns>Whether the claim still held the signal.</returns>
    Task<bool> RecordRetryAsync(SignalLease lease, DateTimeOffset nextAttemptAt, string outcome, CancellationToken cancellationToken);

    /// <summary>Makes the signal a dead letter and audits it (<c>signal_dead_lettered</c>), in one statement.</summary>
    /// <returns>Whether the claim still held the signal.</returns>
    Task<bool> RecordDeadLetterAsync(SignalLease lease, string outcome, CancellationToken cancellationToken);

    /// <summary>Makes signals this instance claimed but did not finish due now, for any instance (a clean shutdown).</summary>
    /// <returns>How many were released.</returns>
    Task<int> ReleaseAsync(IReadOnlyCollection<SignalLease> leases, CancellationToken cancellationToken);

    /// <summary>One cheap read of the backlog, for the gauges.</summary>
    Task<SignalBacklog> MeasureBacklogAsync(CancellationToken cancellationToken);
}
