namespace Connect.Application.Signals;

/// <summary>How signals reach receivers (docs/contract/signals.md "Receivers" and "Delivery").</summary>
public sealed class SignalOptions
{
    public const string SectionName = "Connect:Signals";

    /// <summary>
    /// Whether a receiver may be on a loopback address. Off unless configured: a local <c>./connect up</c> turns it on,
    /// production leaves it off (docs/signals.md).
    /// </summary>
    public bool AllowLoopbackReceivers { get; set; }

    /// <summary>One attempt's bound, connection and answer included.</summary>
    public int DeliveryTimeoutSeconds { get; set; } = 5;

    /// <summary>The first retry's delay; each further one doubles it, up to <see cref="MaxBackoffSeconds"/>.</summary>
    public int FirstRetrySeconds { get; set; } = 1;

    public int MaxBackoffSeconds { get; set; } = 300;

    /// <summary>A signal still failing this long after its commit becomes a dead letter.</summary>
    public int DeadLetterAfterHours { get; set; } = 24;

    /// <summary>How long a claim holds a signal; another instance sends it again once this has run out.</summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often an idle worker looks for due signals.</summary>
    public int PollMilliseconds { get; set; } = 200;

    /// <summary>Deliveries in flight on one instance, over every receiver.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 32;

    /// <summary>Deliveries in flight to one receiver, so that a slow receiver holds only its own share.</summary>
    public int MaxInFlightPerReceiver { get; set; } = 4;
}
