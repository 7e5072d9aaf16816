using Connect.Application.Signals;
using Connect.Domain.Signals;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Application.Tests.Signals;

/// <summary>docs/contract/signals.md "Delivery": which answers succeed, retry or dead-letter, and when a retry comes.</summary>
public sealed class SignalDeliveryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);

    [Theory]
    [InlineData(SignalFormat.BackchannelLogout, 200)]
    [InlineData(SignalFormat.BackchannelLogout, 204)]
    [InlineData(SignalFormat.Caep, 202)]
    [InlineData(SignalFormat.Caep, 200)]
    [InlineData(SignalFormat.Caep, 204)]
    public void Success_statuses_deliver(SignalFormat format, int status)
    {
        var verdict = Policy().Judge(Signal(format), new DeliveryAttempt.Answered(status));

        Assert.Equal(new DeliveryVerdict.Delivered($"status {status}"), verdict);
    }

    [Theory]
    [InlineData(SignalFormat.BackchannelLogout, 202)]
    [InlineData(SignalFormat.BackchannelLogout, 201)]
    [InlineData(SignalFormat.Caep, 201)]
    [InlineData(SignalFormat.Caep, 400)]
    [InlineData(SignalFormat.Caep, 401)]
    [InlineData(SignalFormat.Caep, 404)]
    [InlineData(SignalFormat.BackchannelLogout, 301)]
    [InlineData(SignalFormat.BackchannelLogout, 302)]
    [InlineData(SignalFormat.BackchannelLogout, 307)]
    [InlineData(SignalFormat.BackchannelLogout, 308)]
    [InlineData(SignalFormat.BackchannelLogout, 409)]
    public void Any_other_status_redirects_included_is_a_dead_letter(SignalFormat format, int status)
    {
        var verdict = Policy().Judge(Signal(format), new DeliveryAttempt.Answered(status));

        Assert.Equal(new DeliveryVerdict.DeadLetter($"status {status}"), verdict);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(599)]
    public void Not_now_statuses_retry(int status)
    {
        var verdict = Policy().Judge(Signal(SignalFormat.Caep), new DeliveryAttempt.Answered(status));

        var retry = Assert.IsType<DeliveryVerdict.Retry>(verdict);
        Assert.Equal($"status {status}", retry.Outcome);
        Assert.InRange(retry.At, Now.AddSeconds(0.8), Now.AddSeconds(1));
    }

    [Fact]
    public void Timeouts_and_connection_failures_retry_and_refusals_dead_letter()
    {
        var policy = Policy();

        Assert.IsType<DeliveryVerdict.Retry>(policy.Judge(Signal(SignalFormat.Caep), new DeliveryAttempt.TimedOut()));
        Assert.Equal("connection refused",
            Assert.IsType<DeliveryVerdict.Retry>(policy.Judge(Signal(SignalFormat.Caep), new DeliveryAttempt.ConnectionFailed("connection refused"))).Outcome);
        Assert.IsType<DeliveryVerdict.Retry>(policy.Judge(Signal(SignalFormat.Caep), new DeliveryAttempt.NotSigned("signing key unavailable")));
        Assert.Equal(new DeliveryVerdict.DeadLetter("address not allowed: private or reserved"),
            policy.Judge(Signal(SignalFormat.Caep), new DeliveryAttempt.Refused("address not allowed: private or reserved")));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(9, 256)]
    [InlineData(10, 300)]
    [InlineData(40, 300)]
    [InlineData(int.MaxValue, 300)]
    public void Backoff_doubles_from_one_second_up_to_the_cap_and_jitter_only_shortens_it_by_a_fifth(int attempt, int seconds)
    {
        var longest = Policy(new FixedRandom(0)).Backoff(attempt);
        var shortest = Policy(new FixedRandom(1)).Backoff(attempt);

        Assert.Equal(TimeSpan.FromSeconds(seconds), longest);
        Assert.Equal(TimeSpan.FromSeconds(seconds * 0.8), shortest);
    }

    [Fact]
    public void Jitter_spreads_retries_within_the_range()
    {
        var policy = Policy(new Random(7));

        var delays = Enumerable.Range(0, 200).Select(_ => policy.Backoff(4)).ToList();

        Assert.All(delays, delay => Assert.InRange(delay, TimeSpan.FromSeconds(6.4), TimeSpan.FromSeconds(8)));
        Assert.True(delays.Distinct().Count() > 100);
    }

    [Theory]
    [InlineData("120", 120)]
    [InlineData(" 7 ", 7)]
    [InlineData("0", 0)]
    [InlineData("301", 300)]
    [InlineData("99999999999999999999", 300)]
    public void Retry_after_in_delta_seconds_is_read_and_capped(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Policy().RetryAfter(value));
    }

    [Fact]
    public void Retry_after_as_an_http_date_is_read_against_the_clock_and_capped()
    {
        var policy = Policy();

        Assert.Equal(TimeSpan.FromSeconds(90), policy.RetryAfter(Now.AddSeconds(90).ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(TimeSpan.FromSeconds(300), policy.RetryAfter(Now.AddHours(2).ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(TimeSpan.Zero, policy.RetryAfter(Now.AddHours(-2).ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("soon")]
    [InlineData("2026-03-01T12:00:00Z")]
    public void Retry_after_that_is_neither_form_is_ignored(string? value)
    {
        Assert.Null(Policy().RetryAfter(value));
    }

    [Fact]
    public void Retry_after_longer_than_the_backoff_sets_the_next_attempt_and_a_shorter_one_does_not()
    {
        var policy = Policy(new FixedRandom(0));

        var longer = policy.Judge(Signal(SignalFormat.Caep, attempt: 1), new DeliveryAttempt.Answered(503, "120"));
        var shorter = policy.Judge(Signal(SignalFormat.Caep, attempt: 5), new DeliveryAttempt.Answered(429, "1"));
        var capped = policy.Judge(Signal(SignalFormat.Caep, attempt: 1), new DeliveryAttempt.Answered(503, "86400"));

        Assert.Equal(Now.AddSeconds(120), Assert.IsType<DeliveryVerdict.Retry>(longer).At);
        Assert.Equal(Now.AddSeconds(16), Assert.IsType<DeliveryVerdict.Retry>(shorter).At);
        Assert.Equal(Now.AddSeconds(300), Assert.IsType<DeliveryVerdict.Retry>(capped).At);
    }

    [Fact]
    public void Failures_past_the_dead_letter_deadline_become_a_dead_letter()
    {
        var policy = Policy();
        var young = Signal(SignalFormat.BackchannelLogout, committedAt: Now.AddHours(-24).AddSeconds(1));
        var old = Signal(SignalFormat.BackchannelLogout, committedAt: Now.AddHours(-24));

        Assert.IsType<DeliveryVerdict.Retry>(policy.Judge(young, new DeliveryAttempt.Answered(503)));
        Assert.Equal(new DeliveryVerdict.DeadLetter("status 503, failing for 24 h"), policy.Judge(old, new DeliveryAttempt.Answered(503)));
        Assert.Equal(new DeliveryVerdict.Delivered("status 204"), policy.Judge(old, new DeliveryAttempt.Answered(204)));
    }

    [Fact]
    public void Outcomes_fit_the_audit_detail()
    {
        var verdict = Policy().Judge(Signal(SignalFormat.Caep), new DeliveryAttempt.Refused(new string('x', 500)));

        Assert.Equal(SignalDeliveryPolicy.MaxOutcomeLength, verdict.Outcome.Length);
    }

    private SignalDeliveryPolicy Policy(Random? random = null) =>
        new(_clock, Options.Create(new SignalOptions()), random ?? new FixedRandom(0));

    private static DueSignal Signal(SignalFormat format, int attempt = 1, DateTimeOffset? committedAt = null) =>
        SignalTokenMinterTests.Signal(format, sid: "sid-1", attempt: attempt, committedAt: committedAt ?? Now.AddSeconds(-10));

    /// <summary>Jitter at one end of its range.</summary>
    private sealed class FixedRandom(double sample) : Random
    {
        // Random.NextDouble is below 1; 1 stands for its upper end so the bound is checked exactly.
        public override double NextDouble() => sample;
    }
}
