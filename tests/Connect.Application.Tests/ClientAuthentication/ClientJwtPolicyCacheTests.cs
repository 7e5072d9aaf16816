using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// The policy keeps the applications it read, and a kept copy never changes an answer: whatever changed since,
/// the request is answered as the current state would answer it.
/// </summary>
public sealed class ClientJwtPolicyCacheTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _h = new();
    private readonly ClientJwtPolicy _policy;

    private readonly System.Security.Cryptography.RSA _forger;

    public ClientJwtPolicyCacheTests()
    {
        _policy = _h.NewPolicy();
        _forger = _h.NewKey();
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_known_application_is_read_once_for_many_requests()
    {
        for (var i = 0; i < 3; i++)
        {
            _h.AssertSucceeded(await AuthenticateAsync());
        }

        await _h.Directory.Received(1).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unknown_application_is_kept_unknown_for_a_second_then_accepted_once_registered()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iss"] = "registered-later";
        Assert.Same(ReasonCode.ClientJwtUnknownApplication, (await AuthenticateAsync(jwt)).Failure);
        _h.Register(_h.Application with { Anchor = new ApplicationAnchor("registered-later") });
        jwt = _h.NewJwt();
        jwt.Payload["iss"] = "registered-later";
        Assert.Same(ReasonCode.ClientJwtUnknownApplication, (await AuthenticateAsync(jwt)).Failure);
        _h.Clock.Advance(ClientApplicationCache.UnknownLifetime);
        jwt = _h.NewJwt();
        jwt.Payload["iss"] = "registered-later";

        var outcome = await AuthenticateAsync(jwt);

        Assert.True(outcome.Succeeded);
        await _h.Directory.Received(2).FindByAnchorAsync(new ApplicationAnchor("registered-later"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Forged_tokens_naming_an_unknown_anchor_read_it_once_per_second()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.Same(ReasonCode.ClientJwtUnknownApplication, (await AuthenticateAsync(Forged(iss: "made-up"))).Failure);
        }

        await _h.Directory.Received(1).FindByAnchorAsync(new ApplicationAnchor("made-up"), Arg.Any<CancellationToken>());
        _h.Clock.Advance(ClientApplicationCache.UnknownLifetime);
        Assert.Same(ReasonCode.ClientJwtUnknownApplication, (await AuthenticateAsync(Forged(iss: "made-up"))).Failure);
        await _h.Directory.Received(2).FindByAnchorAsync(new ApplicationAnchor("made-up"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Forged_tokens_naming_a_kept_key_are_refused_without_a_read()
    {
        _h.AssertSucceeded(await AuthenticateAsync());

        for (var i = 0; i < 1000; i++)
        {
            Assert.Same(ReasonCode.ClientJwtInvalidSignature, (await AuthenticateAsync(Forged(kid: _h.Application.ActiveKeys[0].Id.Value))).Failure);
        }

        await _h.Directory.Received(1).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
        await _h.ReplayStore.ReceivedWithAnyArgs(1).TryRecordFirstUseAsync(default, default, default!, default, default);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a-kid-the-copy-does-not-hold")]
    public async Task Forged_tokens_a_read_could_answer_otherwise_read_the_application_at_most_once_per_second(string? kid)
    {
        _h.AssertSucceeded(await AuthenticateAsync());

        for (var i = 0; i < 1000; i++)
        {
            Assert.Same(ReasonCode.ClientJwtInvalidSignature, (await AuthenticateAsync(Forged(kid: kid))).Failure);
        }

        await _h.Directory.Received(2).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
        _h.Clock.Advance(ClientApplicationCache.ReReadInterval);
        Assert.Same(ReasonCode.ClientJwtInvalidSignature, (await AuthenticateAsync(Forged(kid: kid))).Failure);
        await _h.Directory.Received(3).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Key_added_just_after_a_forged_token_found_the_copy_current_is_accepted_within_a_second()
    {
        _h.AssertSucceeded(await AuthenticateAsync());
        Assert.Same(ReasonCode.ClientJwtInvalidSignature, (await AuthenticateAsync(Forged())).Failure);
        var added = _h.NewKey();
        _h.Register(_h.Application with
        {
            ActiveKeys = [ClientJwtPolicyHarness.KeyOf(_h.Key), ClientJwtPolicyHarness.KeyOf(added)],
            Revision = 2,
        });
        var early = _h.NewJwt();
        early.Key = added;
        Assert.Same(ReasonCode.ClientJwtInvalidSignature, (await AuthenticateAsync(early)).Failure);
        _h.Clock.Advance(ClientApplicationCache.ReReadInterval);
        var jwt = _h.NewJwt();
        jwt.Key = added;

        var outcome = await AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task Concurrent_requests_for_an_anchor_not_kept_share_one_read()
    {
        var answer = new TaskCompletionSource<ClientApplication?>();
        _h.Directory.FindByAnchorAsync(new ApplicationAnchor("slow"), Arg.Any<CancellationToken>()).Returns(answer.Task);

        var waiting = Enumerable.Range(0, 50).Select(_ => AuthenticateAsync(Forged(iss: "slow"))).ToList();
        answer.SetResult(null);

        Assert.All(await Task.WhenAll(waiting), outcome => Assert.Same(ReasonCode.ClientJwtUnknownApplication, outcome.Failure));
        await _h.Directory.Received(1).FindByAnchorAsync(new ApplicationAnchor("slow"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_kept_copy_is_read_again_once_its_lifetime_is_over()
    {
        _h.AssertSucceeded(await AuthenticateAsync());
        _h.Clock.Advance(ClientApplicationCache.CopyLifetime);

        _h.AssertSucceeded(await AuthenticateAsync(
            new Connect.Testing.ClientJwts.TestClientJwt(ClientJwtPolicyHarness.Anchor, _h.Key, _h.Clock.GetUtcNow(), _h.Body)));

        await _h.Directory.Received(2).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Application_disabled_after_it_was_kept_is_refused_at_once()
    {
        _h.AssertSucceeded(await AuthenticateAsync());
        _h.Register(_h.Application with { Enabled = false, Revision = 2 });

        var outcome = await AuthenticateAsync();

        Assert.Same(ReasonCode.ApplicationDisabled, outcome.Failure);
    }

    [Fact]
    public async Task Application_enabled_after_it_was_kept_disabled_is_accepted_at_once()
    {
        _h.Register(_h.Application with { Enabled = false });
        Assert.Same(ReasonCode.ApplicationDisabled, (await AuthenticateAsync()).Failure);
        _h.Register(_h.Application with { Enabled = true, Revision = 2 });

        var outcome = await AuthenticateAsync();

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task Key_retired_after_it_was_kept_is_refused_at_once_without_burning_the_jti()
    {
        _h.AssertSucceeded(await AuthenticateAsync());
        _h.Register(_h.Application with { ActiveKeys = [], Revision = 2 });
        _h.ReplayStore.ClearReceivedCalls();

        var outcome = await AuthenticateAsync();

        Assert.Same(ReasonCode.ClientJwtInvalidSignature, outcome.Failure);
        // The one attempt to record was made against the kept copy and recorded nothing (the revision moved on).
        await _h.ReplayStore.Received(1).TryRecordFirstUseAsync(
            _h.Application.Id, 1, Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>());
        await _h.ReplayStore.ReceivedWithAnyArgs(1).TryRecordFirstUseAsync(default, default, default!, default, default);
    }

    [Fact]
    public async Task Key_added_after_the_application_was_kept_is_accepted_at_once()
    {
        _h.AssertSucceeded(await AuthenticateAsync());
        var added = _h.NewKey();
        _h.Register(_h.Application with
        {
            ActiveKeys = [ClientJwtPolicyHarness.KeyOf(_h.Key), ClientJwtPolicyHarness.KeyOf(added)],
            Revision = 2,
        });
        var jwt = _h.NewJwt();
        jwt.Key = added;
        _h.ReplayStore.ClearReceivedCalls();

        var outcome = await AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Bad_signature_against_a_current_copy_is_refused_after_one_more_read()
    {
        _h.AssertSucceeded(await AuthenticateAsync());
        var jwt = _h.NewJwt();
        jwt.Key = _h.NewKey();

        var outcome = await AuthenticateAsync(jwt);

        Assert.Same(ReasonCode.ClientJwtInvalidSignature, outcome.Failure);
        await _h.Directory.Received(2).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
        await _h.ReplayStore.ReceivedWithAnyArgs(1).TryRecordFirstUseAsync(default, default, default!, default, default);
    }

    [Fact]
    public async Task Application_changing_under_every_read_is_unavailable_and_nothing_is_recorded()
    {
        _h.ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(JtiRecording.ApplicationChanged);

        var outcome = await AuthenticateAsync();

        Assert.Same(ReasonCode.ServiceUnavailable, outcome.Failure);
        await _h.Directory.Received(3).FindByAnchorAsync(_h.Application.Anchor, Arg.Any<CancellationToken>());
    }

    /// <summary>A token signed by a key nobody registered, as anyone who knows an anchor can make.</summary>
    private Connect.Testing.ClientJwts.TestClientJwt Forged(string? iss = null, string? kid = null)
    {
        var jwt = _h.NewJwt();
        jwt.Key = _forger;
        if (iss is not null)
        {
            jwt.Payload["iss"] = iss;
        }

        if (kid is not null)
        {
            jwt.Header["kid"] = kid;
        }

        return jwt;
    }

    private Task<Outcome<AuthenticatedApplication>> AuthenticateAsync(Connect.Testing.ClientJwts.TestClientJwt? jwt = null) =>
        _policy.AuthenticateAsync((jwt ?? _h.NewJwt()).AuthorizationHeader(), _h.Body, CancellationToken.None);
}
