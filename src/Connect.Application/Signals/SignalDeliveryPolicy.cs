namespace Connect.Application.Signals;

/// <summary>
/// docs/contract/signals.md "Delivery" as one pure judgement of an attempt: success, retry with exponential backoff
/// and jitter (a <c>Retry-After</c> honoured up to the cap), or dead letter (any other status, a redirect included,
/// since none is followed; or once the signal has failed for <see cref="SignalOptions.DeadLetterAfterHours"/>). The
/// clock and the jitter's randomness are injected.
/// </summary>
public sealed class SignalDeliveryPolicy
{
    /// <summary>A retry comes up to this fraction of its backoff earlier, so that signals failing together spread out.</summary>
    public const double JitterFraction = 0.2;

    /// <summary>A <c>Retry-After</c> of more digits than this is taken as "longer than the cap".</summary>
    private const int MaxDeltaDigits = 9;

    private readonly TimeProvider _clock;
    private readonly Random _random;
    private readonly TimeSpan _firstRetry;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _deadLetterAfter;

    public SignalDeliveryPolicy(TimeProvider clock, IOptions<SignalOptions> options, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _clock = clock;
        _random = random ?? Random.Shared;
        _firstRetry = TimeSpan.FromSeconds(settings.FirstRetrySeconds);
        _maxBackoff = TimeSpan.FromSeconds(settings.MaxBackoffSeconds);
        _deadLetterAfter = TimeSpan.FromHours(settings.DeadLetterAfterHours);
    }

    public DeliveryVerdict Judge(DueSignal signal, DeliveryAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(attempt);
        return attempt switch
        {
            DeliveryAttempt.Answered { Status: var status } when IsSuccess(signal.Format, status) =>
                new DeliveryVerdict.Delivered(Words(status)),
            DeliveryAttempt.Answered { Status: var status, RetryAfter: var retryAfter } when IsRetryable(status) =>
                RetryOrGiveUp(signal, Words(status), RetryAfter(retryAfter)),
            DeliveryAttempt.Answered { Status: var status } => new DeliveryVerdict.DeadLetter(Words(status)),
            DeliveryAttempt.TimedOut => RetryOrGiveUp(signal, "timeout", null),
            DeliveryAttempt.ConnectionFailed failed => RetryOrGiveUp(signal, Short(failed.Reason), null),
            DeliveryAttempt.NotSigned notSigned => RetryOrGiveUp(signal, Short(notSigned.Reason), null),
            DeliveryAttempt.Refused refused => new DeliveryVerdict.DeadLetter(Short(refused.Reason)),
            _ => throw new ArgumentOutOfRangeException(nameof(attempt), attempt, null),
        };
    }

    /// <summary>Back-Channel Logout 1.0 §2.8 answers 200 (or 204); RFC 8935 §2.2 answers 202, and 200 or 204 are taken too.</summary>
    public static bool IsSuccess(SignalFormat format, int status) => format switch
    {
        SignalFormat.BackchannelLogout => status is 200 or 204,
        SignalFormat.Caep => status is 202 or 200 or 204,
        _ => false,
    };

    /// <summary>Statuses that say "not now" rather than "never": 408, 429 and every 5xx.</summary>
    public static bool IsRetryable(int status) => status is 408 or 429 or (>= 500 and <= 599);

    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> + 1: the first retry's delay doubled for each attempt
    /// before it, capped, and up to <see cref="JitterFraction"/> of it taken off at random (so never above the cap).
    /// </summary>
    public TimeSpan Backoff(int attempt)
    {
        var doublings = Math.Clamp(attempt - 1, 0, 30);
        var ticks = Math.Min((double)_firstRetry.Ticks * Math.Pow(2, doublings), _maxBackoff.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (1 - (JitterFraction * _random.NextDouble()))));
    }

    /// <summary>
    /// RFC 9110 §10.2.3: delta-seconds or an HTTP-date. Anything else is ignored; a date in the past is zero; the
    /// answer never exceeds the backoff cap, so a receiver cannot park its signals for longer.
    /// </summary>
    public TimeSpan? RetryAfter(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        value = value.Trim();
        if (value.Length > 0 && value.All(char.IsAsciiDigit))
        {
            return value.Length > MaxDeltaDigits
                ? _maxBackoff
                : Min(TimeSpan.FromSeconds(long.Parse(value, CultureInfo.InvariantCulture)), _maxBackoff);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - _clock.GetUtcNow();
            return wait <= TimeSpan.Zero ? TimeSpan.Zero : Min(wait, _maxBackoff);
        }

        return null;
    }

    private DeliveryVerdict RetryOrGiveUp(DueSignal signal, string outcome, TimeSpan? retryAfter)
    {
        var now = _clock.GetUtcNow();
        if (now - signal.CommittedAt >= _deadLetterAfter)
        {
            return new DeliveryVerdict.DeadLetter(Short(string.Create(
                CultureInfo.InvariantCulture, $"{outcome}, failing for {_deadLetterAfter.TotalHours:0} h")));
        }

        // A Retry-After is a lower bound: the receiver is not ready before it, and the backoff still grows.
        var wait = Backoff(signal.Attempt);
        if (retryAfter is { } asked && asked > wait)
        {
            wait = asked;
        }

        return new DeliveryVerdict.Retry(now + wait, outcome);
    }

    /// <summary>The audit's <c>detail</c> holds at most this many characters (migration 0010's column check).</summary>
    public const int MaxOutcomeLength = 64;

    private static string Short(string outcome) => outcome.Length <= MaxOutcomeLength ? outcome : outcome[..MaxOutcomeLength];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Words(int status) => string.Create(CultureInfo.InvariantCulture, $"status {status}");
}
