using System.Diagnostics.Metrics;
using Connect.Application.RateBudget;
using Connect.Application.Refresh;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Application.Tests.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.Refresh;

/// <summary>
/// The handler's decisions on faked ports and a fake clock, where HTTP could not stage them exactly: what a refused
/// token never reaches, and each way a lost conditional write ends.
/// </summary>
public sealed class RefreshHandlerTests
{
    private const string Issuer = KeptKeysHarness.Issuer;

    private static readonly AppId App = KeptKeysHarness.App;
    private static readonly ApplicationAnchor Anchor = KeptKeysHarness.Anchor;

    private readonly KeptKeysHarness _keys = new();
    private readonly ISessionStore _sessions = Substitute.For<ISessionStore>();
    private readonly IApplicationRateBudget _budget = Substitute.For<IApplicationRateBudget>();
    private readonly RefreshHandler _handler;
    private readonly string _sid = SessionTokenCodec.NewOpaqueId();
    private readonly DateTimeOffset _expiresAt;

    public RefreshHandlerTests()
    {
        _budget.TrySpend(Anchor, Arg.Any<SessionId>()).Returns(true);
        var meters = Substitute.For<IMeterFactory>();
        meters.Create(Arg.Any<MeterOptions>()).Returns(call => new Meter(call.Arg<MeterOptions>()));
        _handler = new RefreshHandler(
            new SessionTokenGate(Codec, Ring, _budget, _sessions, Clock), _budget, _sessions, Ring, Codec, new RefreshMetrics(meters),
            Options.Create(new RefreshOptions()), Clock);
        _expiresAt = Clock.GetUtcNow().AddDays(30);
    }

    [Fact]
    public async Task Forged_token_reaches_neither_the_budget_nor_the_sessions()
    {
        var token = await TokenAsync(version: 1, jti: "jti-1");
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        var outcome = await _handler.Handle(new RefreshCommand(forged), CancellationToken.None);

        Assert.Equal(ReasonCode.RefreshTokenInvalidSignature, outcome.Failure);
        Assert.Empty(_sessions.ReceivedCalls());
        Assert.Empty(_budget.ReceivedCalls());
    }

    [Fact]
    public async Task Spent_budget_is_RateLimited_before_the_session_is_touched()
    {
        _budget.TrySpend(Anchor, Arg.Any<SessionId>()).Returns(false);

        var outcome = await _handler.Handle(new RefreshCommand(await TokenAsync(1, "jti-1")), CancellationToken.None);

        Assert.Equal(ReasonCode.RateLimited, outcome.Failure);
        Assert.Empty(_sessions.ReceivedCalls());
    }

    [Fact]
    public async Task Rotation_stores_the_jti_and_key_of_the_token_it_answers()
    {
        var rotations = new List<SessionRotation>();
        _sessions.TryRotateAsync(Arg.Do<SessionRotation>(rotations.Add), Arg.Any<CancellationToken>())
            .Returns(new RotationAttempt(true, State(version: 1, current: "jti-1", previous: null)));

        var outcome = await _handler.Handle(new RefreshCommand(await TokenAsync(1, "jti-1")), CancellationToken.None);

        var next = Codec.ReadRefresh(outcome.Value!.RefreshToken).Value!;
        var rotation = Assert.Single(rotations);
        Assert.Equal((1, "jti-1", next.Claims.TokenId, next.KeyId, Clock.GetUtcNow()), (rotation.FromVersion, rotation.PresentedJti, rotation.NewJti, rotation.KeyId, rotation.Now));
        Assert.Equal((2, Clock.GetUtcNow().ToUnixTimeSeconds()), (next.Claims.RotationVersion, rotation.RotatedAt.ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task Write_lost_to_one_rotation_adopts_the_winners_byte_identical_token()
    {
        var winner = State(version: 2, current: "jti-2", previous: "jti-1") with { RotatedAt = Clock.GetUtcNow() };
        _sessions.TryRotateAsync(default!, default).ReturnsForAnyArgs(new RotationAttempt(false, State(1, "jti-1", null)));
        _sessions.FindAsync(new SessionId(_sid), Arg.Any<CancellationToken>()).Returns(winner);
        var key = await Ring.FindSigningKeyAsync(App, KeptKeysHarness.Key.KeyId, CancellationToken.None);
        var expected = Codec.Mint(
            new RefreshTokenClaims(Issuer, Anchor.Value, _sid, "jti-2", winner.RotatedAt.ToUnixTimeSeconds(), _expiresAt.ToUnixTimeSeconds(), 2), key!);

        var outcome = await _handler.Handle(new RefreshCommand(await TokenAsync(1, "jti-1")), CancellationToken.None);

        Assert.Equal(expected, outcome.Value?.RefreshToken, StringComparer.Ordinal);
        await _sessions.DidNotReceiveWithAnyArgs().EndAsync(default, default, default, default);
    }

    [Fact]
    public async Task Write_lost_to_a_session_two_versions_ahead_ends_it_as_a_lost_race()
    {
        _sessions.TryRotateAsync(default!, default).ReturnsForAnyArgs(new RotationAttempt(false, State(1, "jti-1", null)));
        _sessions.FindAsync(new SessionId(_sid), Arg.Any<CancellationToken>()).Returns(State(3, "jti-3", "jti-2"));

        var outcome = await _handler.Handle(new RefreshCommand(await TokenAsync(1, "jti-1")), CancellationToken.None);

        Assert.Equal(ReasonCode.RefreshTokenRotationRaceLost, outcome.Failure);
        await _sessions.Received(1).EndAsync(new SessionId(_sid), SessionEndReason.RotationRaceLost, Clock.GetUtcNow(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Write_lost_to_a_revocation_that_rotated_nothing_is_RefreshTokenRevoked()
    {
        _sessions.TryRotateAsync(default!, default).ReturnsForAnyArgs(new RotationAttempt(false, State(1, "jti-1", null)));
        _sessions.FindAsync(new SessionId(_sid), Arg.Any<CancellationToken>())
            .Returns(State(1, "jti-1", null) with { RevokedAt = Clock.GetUtcNow() });

        var outcome = await _handler.Handle(new RefreshCommand(await TokenAsync(1, "jti-1")), CancellationToken.None);

        Assert.Equal(ReasonCode.RefreshTokenRevoked, outcome.Failure);
        await _sessions.DidNotReceiveWithAnyArgs().EndAsync(default, default, default, default);
    }

    [Fact]
    public async Task Reuse_ends_the_session_as_reuse_detected_and_is_FamilyCompromised()
    {
        _sessions.TryRotateAsync(default!, default).ReturnsForAnyArgs(new RotationAttempt(false, State(3, "jti-3", "jti-2")));

        var outcome = await _handler.Handle(new RefreshCommand(await TokenAsync(1, "jti-1")), CancellationToken.None);

        Assert.Equal(ReasonCode.RefreshTokenFamilyCompromised, outcome.Failure);
        await _sessions.Received(1).EndAsync(new SessionId(_sid), SessionEndReason.ReuseDetected, Clock.GetUtcNow(), Arg.Any<CancellationToken>());
        await _sessions.DidNotReceiveWithAnyArgs().FindAsync(default, default);
    }

    [Fact]
    public async Task Write_that_found_the_application_changed_is_never_judged_and_the_request_is_judged_again_with_keys_read_anew()
    {
        // The unconfirmed write saw a state that would be a reuse; it must not end the session on keys it did not confirm.
        var rotations = new List<SessionRotation>();
        _sessions.TryRotateAsync(Arg.Do<SessionRotation>(rotations.Add), Arg.Any<CancellationToken>()).Returns(
            new RotationAttempt(false, State(3, "jti-3", "jti-2"), ApplicationChanged: true),
            new RotationAttempt(true, State(1, "jti-1", null)));
        var token = await TokenAsync(1, "jti-1");

        var outcome = await _handler.Handle(new RefreshCommand(token), CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal([1L, null], rotations.Select(rotation => rotation.ApplicationRevision));
        await _sessions.DidNotReceiveWithAnyArgs().EndAsync(default, default, default, default);
        _budget.Received(1).TrySpend(Anchor, Arg.Any<SessionId>());
        await Store.Received(1).ReadRevisionAsync(Anchor, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Application_deleted_after_this_instance_kept_its_keys_is_RefreshTokenInvalid_with_nothing_written()
    {
        var token = await TokenAsync(1, "jti-1");
        _sessions.TryRotateAsync(default!, default).ReturnsForAnyArgs(new RotationAttempt(false, null, ApplicationChanged: true));
        Store.ReadRevisionAsync(Anchor, Arg.Any<CancellationToken>()).Returns(((AppId, long)?)null);

        var outcome = await _handler.Handle(new RefreshCommand(token), CancellationToken.None);

        Assert.Equal(ReasonCode.RefreshTokenInvalid, outcome.Failure);
        await _sessions.ReceivedWithAnyArgs(1).TryRotateAsync(default!, default);
        await _sessions.DidNotReceiveWithAnyArgs().EndAsync(default, default, default, default);
    }

    [Fact]
    public async Task Warm_refresh_reads_no_key_and_names_the_kept_revision_in_its_write()
    {
        var token = await TokenAsync(1, "jti-1");
        Store.ClearReceivedCalls();
        var rotations = new List<SessionRotation>();
        _sessions.TryRotateAsync(Arg.Do<SessionRotation>(rotations.Add), Arg.Any<CancellationToken>())
            .Returns(new RotationAttempt(true, State(1, "jti-1", null)));

        var outcome = await _handler.Handle(new RefreshCommand(token), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(1L, Assert.Single(rotations).ApplicationRevision);
        Assert.Empty(Store.ReceivedCalls());
    }

    private async Task<string> TokenAsync(int version, string jti)
    {
        var key = await Ring.GetCurrentSigningKeyAsync(App, _expiresAt, CancellationToken.None);
        return Codec.Mint(
            new RefreshTokenClaims(Issuer, Anchor.Value, _sid, jti, Clock.GetUtcNow().ToUnixTimeSeconds(), _expiresAt.ToUnixTimeSeconds(), version), key!);
    }

    private SessionState State(int version, string current, string? previous) => new(
        new SessionId(_sid), App, new AccountId(Guid.NewGuid()), new SectorSubject("s-1"), ApplicationEnabled: true, version,
        current, previous, Clock.GetUtcNow().AddMinutes(-5), KeptKeysHarness.Key.KeyId, _expiresAt, RevokedAt: null);

    private FakeTimeProvider Clock => _keys.Clock;

    private ISigningKeyStore Store => _keys.Store;

    private SigningKeyRing Ring => _keys.Ring;

    private SessionTokenCodec Codec => _keys.Codec;
}
