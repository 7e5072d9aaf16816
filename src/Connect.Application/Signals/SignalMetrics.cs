namespace Connect.Application.Signals;

/// <summary>
/// The signals' instruments on the meter <c>Connect</c> (docs/contract/signals.md "Metrics and audit"). The one tag
/// is the outcome, a closed set: never a receiver, URL, subject or token.
/// </summary>
public sealed class SignalMetrics
{
    public const string PendingName = "connect.signals.pending";
    public const string OldestPendingAgeName = "connect.signals.oldest_pending_age";
    public const string DeliveriesName = "connect.signals.deliveries";
    public const string DeliveryLatencyName = "connect.signals.delivery_latency";

    public const string OutcomeTag = "outcome";

    public const string Delivered = "delivered";
    public const string Retry = "retry";
    public const string DeadLettered = "dead_lettered";

    // Seconds, from a commit to its signal's acceptance: sub-second at light load, minutes while a receiver is down.
    private static readonly double[] LatencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _latency;
    private long _pending;
    private double _oldestAgeSeconds;

    /// <param name="meters">The host's factory (ASP.NET Core registers one), so each service's meter is its own.</param>
    public SignalMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(ConnectTelemetry.Name);
        meter.CreateObservableGauge(
            PendingName, () => Volatile.Read(ref _pending), "{signal}",
            "Signals pending delivery (dead letters not counted), as the delivery worker last read the outbox.");
        meter.CreateObservableGauge(
            OldestPendingAgeName, () => Volatile.Read(ref _oldestAgeSeconds), "s",
            "Time since the commit of the oldest pending signal, as the delivery worker last read the outbox.");
        _deliveries = meter.CreateCounter<long>(
            DeliveriesName, "{attempt}",
            "Delivery attempts, by outcome: delivered, retry (a retryable failure) or dead_lettered.");
        _latency = meter.CreateHistogram(
            DeliveryLatencyName, "s", "Time from the commit that ended the sessions to the receiver's acceptance of the signal.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public void Backlog(SignalBacklog backlog)
    {
        Volatile.Write(ref _pending, backlog.Pending);
        Volatile.Write(ref _oldestAgeSeconds, backlog.OldestPendingAge.TotalSeconds);
    }

    public void Attempted(string outcome) => _deliveries.Add(1, new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void DeliveredAfter(TimeSpan sinceCommit) => _latency.Record(Math.Max(0, sinceCommit.TotalSeconds));
}
