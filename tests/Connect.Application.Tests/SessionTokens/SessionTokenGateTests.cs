using Connect.Application.RateBudget;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>
/// The one gate of the session-token endpoints on faked ports (the key store, the session store, the budget) and a
/// fake clock, for both kinds of token: each failed check answers its kind's reason and touches nothing after it;
/// the budget is spent exactly once, and only after the signature verified; a kept copy the statement finds stale
/// is verified again once with keys read anew; the retry of an endpoint's own statement runs once, confirmed.
/// </summary>
public sealed class SessionTokenGateTests
{
    private const string Issuer = KeptKeysHarness.Issuer;

    private static readonly AppId App = KeptKeysHarness.App;
    private static readonly ApplicationAnchor Anchor = KeptKeysHarness.Anchor;

    private readonly KeptKeysHarness _keys = new();
    private readonly ISessionStore _sessions = Substitute.For<ISessionStore>();
    private readonly IApplicationRateBudget _budget = Substitute.For<IApplicationRateBudget>();
    private readonly SessionTokenGate _gate;
    private readonly string _sid = SessionTokenCodec.NewOpaqueId();
    private readonly SessionId _id;
    private readonly DateTimeOffset _expiresAt;

    public SessionTokenGateTests()
    {
        _budget.TrySpend(Anchor, Arg.Any<SessionId>()).Returns(true);
        _gate = new SessionTokenGate(Codec, Ring, _budget, _sessions, Clock);
        _id = new SessionId(_sid);
        _expiresAt = Clock.GetUtcNow().AddDays(30);
    }

    public static TheoryData<string> Kinds => new() { "access", "refresh" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Malformed_token_is_its_kinds_Invalid_and_reaches_neither_the_budget_nor_the_sessions(string kind)
    {
        var (reason, _) = await PassAsync(kind, "not.a.token");

        Assert.Equal(Kind(kind).Invalid, reason);
        AssertNothingAfterVerification();
    }

    [Fact]
    public async Task Access_token_presented_as_a_refresh_token_is_RefreshTokenInvalidType()
    {
        var (reason, _) = await PassAsync("refresh", await TokenAsync("access"));

        Assert.Equal(ReasonCode.RefreshTokenInvalidType, reason);
        AssertNothingAfterVerification();
    }

    [Fact]
    public async Task Refresh_token_presented_as_an_access_token_is_AccessTokenInvalid()
    {
        var (reason, _) = await PassAsync("access", await TokenAsync("refresh"));

        Assert.Equal(ReasonCode.AccessTokenInvalid, reason);
        AssertNothingAfterVerification();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Token_of_another_issuer_is_its_kinds_Invalid(string kind)
    {
        var (reason, _) = await PassAsync(kind, await TokenAsync(kind, issuer: "https://elsewhere.test"));

        Assert.Equal(Kind(kind).Invalid, reason);
        AssertNothingAfterVerification();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Token_of_an_unknown_application_is_its_kinds_Invalid(string kind)
    {
        var (reason, _) = await PassAsync(kind, await TokenAsync(kind, audience: "no-such-app"));

        Assert.Equal(Kind(kind).Invalid, reason);
        AssertNothingAfterVerification();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Forged_signature_is_its_kinds_InvalidSignature_and_spends_no_budget(string kind)
    {
        var token = await TokenAsync(kind);
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        var (reason, _) = await PassAsync(kind, forged);

        Assert.Equal(Kind(kind).InvalidSignature, reason);
        AssertNothingAfterVerification();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_read_that_shows_the_session_ended_tells_the_budget_once_and_an_active_one_does_not(string kind)
    {
        var token = await TokenAsync(kind);
        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>()).Returns(new SessionRead(Session(), 1));
        var (activeReason, _) = await PassAsync(kind, token);
        _budget.DidNotReceive().SessionEnded(Arg.Any<SessionId>());

        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>())
            .Returns(new SessionRead(Session() with { RevokedAt = Clock.GetUtcNow().AddSeconds(-1) }, 1));
        var (revokedReason, revoked) = await PassAsync(kind, token);

        Assert.Null(activeReason);
        Assert.Null(revokedReason);
        Assert.NotNull(revoked!.Value.Session);
        _budget.Received(1).SessionEnded(_id);
    }

    [Fact]
    public async Task A_read_past_the_sessions_expiry_tells_the_budget_and_an_unknown_session_does_not()
    {
        var token = await TokenAsync("access");
        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>()).Returns(new SessionRead(null, 1));
        await PassAsync("access", token);
        _budget.DidNotReceive().SessionEnded(Arg.Any<SessionId>());

        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>())
            .Returns(new SessionRead(Session() with { ExpiresAt = Clock.GetUtcNow() }, 1));
        await PassAsync("access", token);

        _budget.Received(1).SessionEnded(_id);
    }

    [Fact]
    public async Task Expired_access_token_is_AccessTokenInvalid_before_the_budget_where_the_endpoint_judges_expiry()
    {
        var expired = await TokenAsync("access", expiresAt: Clock.GetUtcNow().ToUnixTimeSeconds());
        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>()).Returns(new SessionRead(Session(), 1));

        var judged = await _gate.ReadSessionAsync(SessionTokenKind.Access, expired, judgeExpiry: true, null, CancellationToken.None);
        AssertNothingAfterVerification();
        var notJudged = await _gate.ReadSessionAsync(SessionTokenKind.Access, expired, judgeExpiry: false, null, CancellationToken.None);

        Assert.Equal(ReasonCode.AccessTokenInvalid, judged.Failure);
        Assert.True(notJudged.Succeeded, notJudged.ToString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Spent_budget_is_RateLimited_before_the_session_is_touched(string kind)
    {
        _budget.TrySpend(Anchor, Arg.Any<SessionId>()).Returns(false);

        var (reason, _) = await PassAsync(kind, await TokenAsync(kind));

        Assert.Equal(ReasonCode.RateLimited, reason);
        _budget.Received(1).TrySpend(Anchor, _id);
        Assert.Empty(_sessions.ReceivedCalls());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Warm_pass_spends_once_and_reads_the_session_once_confirming_the_kept_copy_without_reading_a_key(string kind)
    {
        var token = await TokenAsync(kind);
        Store.ClearReceivedCalls();
        var session = Session();
        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>()).Returns(new SessionRead(session, 1));

        var (reason, passed) = await PassAsync(kind, token);

        Assert.Null(reason);
        Assert.Same(session, passed!.Value.Session);
        Assert.Equal((App, Anchor, _sid), passed.Value.Token);
        _budget.Received(1).TrySpend(Anchor, _id);
        await _sessions.Received(1).FindAsync(_id, App, Arg.Any<CancellationToken>());
        Assert.Single(_sessions.ReceivedCalls());
        Assert.Empty(Store.ReceivedCalls());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Stale_kept_copy_is_verified_again_once_with_keys_read_anew_and_the_session_read_again(string kind)
    {
        var token = await TokenAsync(kind);
        Store.ClearReceivedCalls();
        var stale = Session();
        var fresh = Session();
        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>()).Returns(new SessionRead(stale, 2));
        _sessions.FindAsync(_id, Arg.Any<CancellationToken>()).Returns(fresh);

        var (reason, passed) = await PassAsync(kind, token);

        Assert.Null(reason);
        Assert.Same(fresh, passed!.Value.Session);
        await Store.Received(1).ReadRevisionAsync(Anchor, Arg.Any<CancellationToken>());
        await _sessions.Received(1).FindAsync(_id, App, Arg.Any<CancellationToken>());
        await _sessions.Received(1).FindAsync(_id, Arg.Any<CancellationToken>());
        _budget.Received(1).TrySpend(Anchor, _id);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Stale_kept_copy_of_an_application_deleted_since_is_its_kinds_Invalid_with_no_second_read(string kind)
    {
        var token = await TokenAsync(kind);
        _sessions.FindAsync(_id, App, Arg.Any<CancellationToken>()).Returns(new SessionRead(Session(), null));
        Store.ReadRevisionAsync(Anchor, Arg.Any<CancellationToken>()).Returns(((AppId, long)?)null);

        var (reason, _) = await PassAsync(kind, token);

        Assert.Equal(Kind(kind).Invalid, reason);
        await _sessions.DidNotReceive().FindAsync(_id, Arg.Any<CancellationToken>());
        _budget.Received(1).TrySpend(Anchor, _id);
    }

    [Fact]
    public async Task Statement_that_finds_the_kept_copy_stale_runs_once_more_confirmed_and_its_second_answer_stands()
    {
        var token = await TokenAsync("refresh");
        var calls = new List<(bool FromKeptCopy, bool Confirmed)>();

        var outcome = await _gate.PassAsync(
            SessionTokenKind.Refresh, token, judgeExpiry: false, null, calls,
            static (calls, verified, fromKeptCopy, _) =>
            {
                calls.Add((fromKeptCopy, verified.Confirmed));
                return Task.FromResult(fromKeptCopy ? KeptCopyAttempt.Stale<string>() : "answered when confirmed");
            },
            CancellationToken.None);

        Assert.Equal("answered when confirmed", outcome.Value);
        Assert.Equal([(true, false), (false, true)], calls);
        _budget.Received(1).TrySpend(Anchor, _id);
    }

    [Fact]
    public async Task Statement_answered_from_the_kept_copy_runs_once()
    {
        var token = await TokenAsync("refresh");
        var calls = new List<bool>();

        var outcome = await _gate.PassAsync(
            SessionTokenKind.Refresh, token, judgeExpiry: false, null, calls,
            static (calls, _, fromKeptCopy, _) =>
            {
                calls.Add(fromKeptCopy);
                return Task.FromResult<KeptCopyAttempt<string>>(ReasonCode.RefreshTokenRevoked);
            },
            CancellationToken.None);

        Assert.Equal(ReasonCode.RefreshTokenRevoked, outcome.Failure);
        Assert.Equal([true], calls);
    }

    [Fact]
    public async Task Statement_that_answers_stale_for_a_confirmed_token_is_a_bug_not_a_loop()
    {
        var token = await TokenAsync("refresh");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _gate.PassAsync(
            SessionTokenKind.Refresh, token, judgeExpiry: false, null, 0,
            static (_, _, _, _) => Task.FromResult(KeptCopyAttempt.Stale<string>()),
            CancellationToken.None));
    }

    private static (ReasonCode Invalid, ReasonCode InvalidSignature) Kind(string kind) => kind == "access"
        ? (SessionTokenKind.Access.Invalid, SessionTokenKind.Access.InvalidSignature)
        : (SessionTokenKind.Refresh.Invalid, SessionTokenKind.Refresh.InvalidSignature);

    private void AssertNothingAfterVerification()
    {
        Assert.Empty(_budget.ReceivedCalls());
        Assert.Empty(_sessions.ReceivedCalls());
    }

    /// <summary>The gate's session read for <paramref name="kind"/>: the failure, or the token's application, anchor
    /// and sid with the session.</summary>
    private async Task<(ReasonCode? Reason, ((AppId, ApplicationAnchor, string) Token, SessionState? Session)? Passed)> PassAsync(string kind, string token)
    {
        if (kind == "access")
        {
            var access = await _gate.ReadSessionAsync(SessionTokenKind.Access, token, judgeExpiry: false, null, CancellationToken.None);
            return access.Succeeded
                ? (null, ((access.Value.Token.Application, access.Value.Token.Anchor, access.Value.Token.Claims.SessionId), access.Value.Session))
                : (access.Failure, null);
        }

        var refresh = await _gate.ReadSessionAsync(SessionTokenKind.Refresh, token, judgeExpiry: false, null, CancellationToken.None);
        return refresh.Succeeded
            ? (null, ((refresh.Value.Token.Application, refresh.Value.Token.Anchor, refresh.Value.Token.Claims.SessionId), refresh.Value.Session))
            : (refresh.Failure, null);
    }

    private async Task<string> TokenAsync(string kind, string issuer = Issuer, string? audience = null, long? expiresAt = null)
    {
        var key = (await Ring.GetCurrentSigningKeyAsync(App, _expiresAt, CancellationToken.None))!;
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        return kind == "access"
            ? Codec.Mint(new AccessTokenClaims(issuer, audience ?? Anchor.Value, "s-1", _sid, "jti-a", now - 60, expiresAt ?? now + 300), key)
            : Codec.Mint(new RefreshTokenClaims(issuer, audience ?? Anchor.Value, _sid, "jti-1", now, expiresAt ?? _expiresAt.ToUnixTimeSeconds(), 1), key);
    }

    private SessionState Session() => new(
        _id, App, new AccountId(Guid.NewGuid()), new SectorSubject("s-1"), ApplicationEnabled: true, 1,
        "jti-1", null, Clock.GetUtcNow().AddMinutes(-5), KeptKeysHarness.Key.KeyId, _expiresAt, RevokedAt: null);

    private FakeTimeProvider Clock => _keys.Clock;

    private ISigningKeyStore Store => _keys.Store;

    private SigningKeyRing Ring => _keys.Ring;

    private SessionTokenCodec Codec => _keys.Codec;
}
