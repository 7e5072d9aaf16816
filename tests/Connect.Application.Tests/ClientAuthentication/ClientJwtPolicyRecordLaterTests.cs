using Connect.Application.ClientAuthentication;
using Connect.Domain.Outcomes;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// The policy asked to leave the replay record to the endpoint's statement (revoke-all: one transaction a request):
/// it does so only where nothing but the record could still refuse, and the late record decides as the policy always does.
/// </summary>
public sealed class ClientJwtPolicyRecordLaterTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task An_accepted_token_is_left_unrecorded_with_what_the_statement_must_record()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["jti"] = "jti-1";

        var decision = await DecideLaterAsync(_h.NewPolicy(), jwt);

        _h.AssertSucceeded(decision.Outcome);
        var use = decision.Outcome.Value!.Unrecorded!.Use;
        Assert.Equal(
            new JtiFirstUse(_h.Application.Id, _h.Application.Revision, "jti-1", DateTimeOffset.FromUnixTimeSeconds(ClientJwtPolicyHarness.Now + 60 + 30)),
            use);
        _h.AssertJtiNotBurned();
    }

    [Fact]
    public async Task The_late_record_writes_the_jti_as_the_policy_does_and_answers_once()
    {
        var jwt = _h.NewJwt();
        var unrecorded = (await DecideLaterAsync(_h.NewPolicy(), jwt)).Outcome.Value!.Unrecorded!;

        var first = await unrecorded.RecordAsync(CancellationToken.None);
        var second = await unrecorded.RecordAsync(CancellationToken.None);

        _h.AssertSucceeded(first);
        Assert.Null(first.Value!.Unrecorded);
        Assert.Same(first.Value, second.Value);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task The_late_record_of_a_replay_answers_ClientJwtReplayed()
    {
        var jwt = _h.NewJwt();
        var unrecorded = (await DecideLaterAsync(_h.NewPolicy(), jwt)).Outcome.Value!.Unrecorded!;
        _h.ReplayStore.TryRecordFirstUseAsync(default, default, default!, default, default).ReturnsForAnyArgs(JtiRecording.Replayed);

        var recorded = await unrecorded.RecordAsync(CancellationToken.None);

        Assert.Same(ReasonCode.ClientJwtReplayed, recorded.Failure);
    }

    [Fact]
    public async Task A_disabled_application_is_decided_as_without_it_the_record_first()
    {
        _h.Register(_h.Application with { Enabled = false });
        var jwt = _h.NewJwt();

        var decision = await DecideLaterAsync(_h.NewPolicy(), jwt);

        Assert.Same(ReasonCode.ApplicationDisabled, decision.Outcome.Failure);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task A_refused_token_is_refused_as_without_it()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["aud"] = "someone-else";

        var decision = await DecideLaterAsync(_h.NewPolicy(), jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAudienceMismatch, decision.Outcome);
    }

    [Fact]
    public async Task Without_it_the_record_is_written_and_nothing_is_left_unrecorded()
    {
        var jwt = _h.NewJwt();

        var decision = await _h.NewPolicy().DecideAsync(jwt.AuthorizationHeader(), _h.Body, recordLater: false, CancellationToken.None);

        Assert.Null(decision.Outcome.Value!.Unrecorded);
        _h.AssertJtiRecorded(jwt);
    }

    private Task<ClientJwtDecision> DecideLaterAsync(ClientJwtPolicy policy, Connect.Testing.ClientJwts.TestClientJwt jwt) =>
        policy.DecideAsync(jwt.AuthorizationHeader(), _h.Body, recordLater: true, CancellationToken.None);
}
