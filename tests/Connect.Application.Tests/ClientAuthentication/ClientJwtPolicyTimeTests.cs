using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>iat, exp and nbf against the fake clock: no skew beyond the 30 s allowed for iat and nbf.</summary>
public sealed class ClientJwtPolicyTimeTests : IDisposable
{
    private const long Now = ClientJwtPolicyHarness.Now;

    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- exp ----

    [Theory]
    [InlineData(Now - 60, Now)]
    [InlineData(Now - 61, Now - 1)]
    [InlineData(Now - 3600, Now - 3540)]
    public async Task Exp_at_or_before_now_is_expired(long iat, long exp)
    {
        var jwt = WithTimes(iat, exp);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtExpired, outcome);
    }

    [Fact]
    public async Task Exp_one_second_after_now_is_accepted()
    {
        var jwt = WithTimes(Now - 59, Now + 1);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Exp_at_the_whole_second_before_a_fractional_now_is_expired()
    {
        _h.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds((Now * 1000) + 500));
        var jwt = WithTimes(Now - 60, Now);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtExpired, outcome);
    }

    [Fact]
    public async Task Exp_at_the_whole_second_after_a_fractional_now_is_accepted()
    {
        _h.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds((Now * 1000) + 500));
        var jwt = WithTimes(Now - 59, Now + 1);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    // ---- iat and nbf ----

    [Fact]
    public async Task Iat_31_seconds_ahead_is_not_yet_valid()
    {
        var jwt = WithTimes(Now + 31, Now + 91);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtNotYetValid, outcome);
    }

    [Fact]
    public async Task Iat_30_seconds_ahead_is_accepted()
    {
        var jwt = WithTimes(Now + 30, Now + 90);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Iat_30_and_a_half_seconds_ahead_of_a_fractional_now_is_not_yet_valid()
    {
        _h.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds((Now * 1000) + 500));
        var jwt = WithTimes(Now + 31, Now + 91);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtNotYetValid, outcome);
    }

    [Fact]
    public async Task Iat_29_and_a_half_seconds_ahead_of_a_fractional_now_is_accepted()
    {
        _h.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds((Now * 1000) + 500));
        var jwt = WithTimes(Now + 30, Now + 90);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Nbf_31_seconds_ahead_is_not_yet_valid()
    {
        var jwt = WithTimes(Now, Now + 60);
        jwt.Payload["nbf"] = Now + 31;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtNotYetValid, outcome);
    }

    [Theory]
    [InlineData(Now + 30)]
    [InlineData(Now)]
    [InlineData(Now - 3600)]
    public async Task Nbf_at_most_30_seconds_ahead_is_accepted(long nbf)
    {
        var jwt = WithTimes(Now, Now + 60);
        jwt.Payload["nbf"] = nbf;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Hostile_nbf_of_long_max_is_not_yet_valid()
    {
        var jwt = WithTimes(Now, Now + 60);
        jwt.Payload["nbf"] = long.MaxValue;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtNotYetValid, outcome);
    }

    // ---- exp - iat ----

    [Theory]
    [InlineData(Now, Now + 61)]
    [InlineData(Now - 1, Now + 60)]
    [InlineData(Now + 10, Now + 10)]
    [InlineData(Now + 20, Now + 10)]
    [InlineData(Now - 86_400, Now + 60)]
    public async Task Lifetime_above_60_seconds_or_not_above_0_is_too_long(long iat, long exp)
    {
        var jwt = WithTimes(iat, exp);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtLifetimeTooLong, outcome);
    }

    [Theory]
    [InlineData(Now, Now + 60)]
    [InlineData(Now - 30, Now + 30)]
    [InlineData(Now, Now + 1)]
    public async Task Lifetime_of_1_to_60_seconds_is_accepted(long iat, long exp)
    {
        var jwt = WithTimes(iat, exp);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Hostile_iat_of_long_min_is_too_long_without_overflow()
    {
        // exp - iat overflows a long: wrapped arithmetic would make it negative or small.
        var jwt = WithTimes(long.MinValue, Now + 60);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtLifetimeTooLong, outcome);
    }

    [Fact]
    public async Task Hostile_exp_of_long_max_is_too_long_without_overflow()
    {
        // Also keeps the replay record's exp + 30 s from ever being computed.
        var jwt = WithTimes(Now, long.MaxValue);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtLifetimeTooLong, outcome);
    }

    [Fact]
    public async Task Hostile_iat_of_long_max_is_not_yet_valid()
    {
        var jwt = WithTimes(long.MaxValue, Now + 60);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtNotYetValid, outcome);
    }

    private TestClientJwt WithTimes(long iat, long exp)
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iat"] = iat;
        jwt.Payload["exp"] = exp;
        return jwt;
    }
}
