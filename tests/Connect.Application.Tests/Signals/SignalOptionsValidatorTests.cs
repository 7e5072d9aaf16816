using Connect.Application.Signals;

namespace Connect.Application.Tests.Signals;

/// <summary>Connect:Signals is checked at start: each setting out of its range stops the service with one line naming it.</summary>
public sealed class SignalOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new SignalOptionsValidator().Validate(null, new SignalOptions()).Succeeded);
    }

    [Theory]
    [InlineData(nameof(SignalOptions.DeliveryTimeoutSeconds), 0)]
    [InlineData(nameof(SignalOptions.DeliveryTimeoutSeconds), 61)]
    [InlineData(nameof(SignalOptions.FirstRetrySeconds), 0)]
    [InlineData(nameof(SignalOptions.FirstRetrySeconds), 301)]
    [InlineData(nameof(SignalOptions.MaxBackoffSeconds), 3601)]
    [InlineData(nameof(SignalOptions.DeadLetterAfterHours), 0)]
    [InlineData(nameof(SignalOptions.DeadLetterAfterHours), 721)]
    [InlineData(nameof(SignalOptions.LeaseSeconds), 14)]
    [InlineData(nameof(SignalOptions.LeaseSeconds), 3601)]
    [InlineData(nameof(SignalOptions.PollMilliseconds), 9)]
    [InlineData(nameof(SignalOptions.PollMilliseconds), 60_001)]
    [InlineData(nameof(SignalOptions.MaxConcurrentDeliveries), 0)]
    [InlineData(nameof(SignalOptions.MaxConcurrentDeliveries), 1025)]
    [InlineData(nameof(SignalOptions.MaxInFlightPerReceiver), 0)]
    [InlineData(nameof(SignalOptions.MaxInFlightPerReceiver), 33)]
    public void A_setting_out_of_range_is_refused_by_name(string setting, int value)
    {
        var options = new SignalOptions();
        typeof(SignalOptions).GetProperty(setting)!.SetValue(options, value);

        var result = new SignalOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lease_must_outlast_an_attempt_and_the_write_of_its_outcome()
    {
        var options = new SignalOptions { DeliveryTimeoutSeconds = 20, LeaseSeconds = 30 };

        Assert.True(new SignalOptionsValidator().Validate(null, options).Failed);
        options.LeaseSeconds = 45;
        Assert.True(new SignalOptionsValidator().Validate(null, options).Succeeded);
    }
}
