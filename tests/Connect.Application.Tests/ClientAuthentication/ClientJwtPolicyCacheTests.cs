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

    public ClientJwtPolicyCacheTests() => _policy = _h.NewPolicy();

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
    public async Task An_unknown_application_is_read_again_on_every_request()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iss"] = "registered-later";
        Assert.Same(ReasonCode.ClientJwtUnknownApplication, (await AuthenticateAsync(jwt)).Failure);
        _h.Register(_h.Application with { Anchor = new ApplicationAnchor("registered-later") });
        jwt = _h.NewJwt();
        jwt.Payload["iss"] = "registered-later";

        var outcome = await AuthenticateAsync(jwt);

        Assert.True(outcome.Succeeded);
        await _h.Directory.Received(2).FindByAnchorAsync(new ApplicationAnchor("registered-later"), Arg.Any<CancellationToken>());
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

    private Task<Outcome<AuthenticatedApplication>> AuthenticateAsync(Connect.Testing.ClientJwts.TestClientJwt? jwt = null) =>
        _policy.AuthenticateAsync((jwt ?? _h.NewJwt()).AuthorizationHeader(), _h.Body, CancellationToken.None);
}
