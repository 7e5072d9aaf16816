namespace Connect.Application.Signals;

/// <summary>Stops the start with one plain line when a <c>Connect:Signals</c> setting is out of its range.</summary>
internal sealed class SignalOptionsValidator : IValidateOptions<SignalOptions>
{
    internal const int MaxDeliveryTimeoutSeconds = 60;
    internal const int MaxBackoffCapSeconds = 3600;
    internal const int MaxDeadLetterAfterHours = 24 * 30;
    internal const int MaxLeaseSeconds = 3600;
    internal const int MaxPollMilliseconds = 60_000;
    internal const int MaxConcurrentDeliveries = 1024;

    public ValidateOptionsResult Validate(string? name, SignalOptions options) =>
        Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    internal static string? Problem(SignalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = SignalOptions.SectionName;
        if (options.DeliveryTimeoutSeconds is < 1 or > MaxDeliveryTimeoutSeconds)
        {
            return $"{Section}:DeliveryTimeoutSeconds must be 1 to {MaxDeliveryTimeoutSeconds}.";
        }

        if (options.FirstRetrySeconds < 1 || options.MaxBackoffSeconds > MaxBackoffCapSeconds || options.FirstRetrySeconds > options.MaxBackoffSeconds)
        {
            return $"{Section}:FirstRetrySeconds must be at least 1 and at most MaxBackoffSeconds, which must be at most {MaxBackoffCapSeconds}.";
        }

        if (options.DeadLetterAfterHours is < 1 or > MaxDeadLetterAfterHours)
        {
            return $"{Section}:DeadLetterAfterHours must be 1 to {MaxDeadLetterAfterHours}.";
        }

        // A lease must outlast an attempt and the write of its outcome, or a live attempt's signal is sent again.
        if (options.LeaseSeconds < (2 * options.DeliveryTimeoutSeconds) + 5 || options.LeaseSeconds > MaxLeaseSeconds)
        {
            return $"{Section}:LeaseSeconds must be at least twice DeliveryTimeoutSeconds plus 5, and at most {MaxLeaseSeconds}.";
        }

        if (options.PollMilliseconds is < 10 or > MaxPollMilliseconds)
        {
            return $"{Section}:PollMilliseconds must be 10 to {MaxPollMilliseconds}.";
        }

        if (options.MaxConcurrentDeliveries is < 1 or > MaxConcurrentDeliveries
            || options.MaxInFlightPerReceiver < 1 || options.MaxInFlightPerReceiver > options.MaxConcurrentDeliveries)
        {
            return $"{Section}:MaxConcurrentDeliveries must be 1 to {MaxConcurrentDeliveries}, MaxInFlightPerReceiver 1 to MaxConcurrentDeliveries.";
        }

        return null;
    }
}
