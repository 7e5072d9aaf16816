namespace Connect.Application.Signals;

/// <summary>What happened to one attempt to send a signal, as the sender saw it; judged by <see cref="SignalDeliveryPolicy"/>.</summary>
public abstract record DeliveryAttempt
{
    private DeliveryAttempt()
    {
    }

    /// <summary>The receiver answered with a status (its body unread); <paramref name="RetryAfter"/> is the header's raw value.</summary>
    public sealed record Answered(int Status, string? RetryAfter = null) : DeliveryAttempt;

    /// <summary>No answer within the delivery timeout.</summary>
    public sealed record TimedOut : DeliveryAttempt;

    /// <summary>No connection, or the connection broke before an answer (refused, reset, name not found, TLS).</summary>
    public sealed record ConnectionFailed(string Reason) : DeliveryAttempt;

    /// <summary>
    /// Refused before any connection: the URL breaks the receiver rule, or its host resolved to an address the
    /// server-side request forgery rule forbids (docs/contract/signals.md "Receivers").
    /// </summary>
    public sealed record Refused(string Reason) : DeliveryAttempt;

    /// <summary>No token could be made now (the application's signing keys cannot be opened): nothing was sent.</summary>
    public sealed record NotSigned(string Reason) : DeliveryAttempt;
}

/// <summary>What becomes of a signal after one attempt.</summary>
public abstract record DeliveryVerdict
{
    private DeliveryVerdict()
    {
    }

    /// <summary>The words written to <c>last_outcome</c> (and a dead letter's audit detail): never a token or a URL.</summary>
    public abstract string Outcome { get; }

    public sealed record Delivered(string Outcome) : DeliveryVerdict
    {
        public override string Outcome { get; } = Outcome;
    }

    public sealed record Retry(DateTimeOffset At, string Outcome) : DeliveryVerdict
    {
        public override string Outcome { get; } = Outcome;
    }

    public sealed record DeadLetter(string Outcome) : DeliveryVerdict
    {
        public override string Outcome { get; } = Outcome;
    }
}
