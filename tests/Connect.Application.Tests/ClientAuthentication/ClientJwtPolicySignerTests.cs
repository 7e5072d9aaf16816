using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// Which application a decision names: the one whose key verified the signature, even when a later check
/// refused the request (the operator needs that name to find the misconfigured integration); none before that,
/// because the iss of an unverified JWT is the sender's own text.
/// </summary>
public sealed class ClientJwtPolicySignerTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public static TheoryData<string> RefusalsAfterTheSignature() =>
        ["wrong audience", "expired", "not yet valid", "body hash mismatch", "replayed", "disabled"];

    [Theory]
    [MemberData(nameof(RefusalsAfterTheSignature))]
    public async Task A_refusal_after_the_signature_verified_names_the_application(string refusal)
    {
        var jwt = _harness.NewJwt();
        var expected = Arrange(refusal, jwt);

        var decision = await DecideAsync(jwt);

        Assert.Same(expected, decision.Outcome.Failure);
        Assert.Equal(new ApplicationAnchor(ClientJwtPolicyHarness.Anchor), decision.SignedBy);
    }

    [Fact]
    public async Task A_refusal_by_a_kept_copy_of_the_application_names_it_too()
    {
        var policy = _harness.NewPolicy();
        await policy.DecideAsync(_harness.NewJwt().AuthorizationHeader(), _harness.Body, CancellationToken.None);
        var jwt = _harness.NewJwt();
        jwt.Payload["aud"] = "someone-else";

        var decision = await policy.DecideAsync(jwt.AuthorizationHeader(), _harness.Body, CancellationToken.None);

        Assert.Same(ReasonCode.ClientJwtAudienceMismatch, decision.Outcome.Failure);
        Assert.Equal(new ApplicationAnchor(ClientJwtPolicyHarness.Anchor), decision.SignedBy);
    }

    [Fact]
    public async Task An_accepted_request_names_its_application()
    {
        var decision = await DecideAsync(_harness.NewJwt());

        Assert.True(decision.Outcome.Succeeded);
        Assert.Equal(new ApplicationAnchor(ClientJwtPolicyHarness.Anchor), decision.SignedBy);
    }

    [Fact]
    public async Task A_forged_signature_claiming_a_registered_application_names_none()
    {
        var jwt = _harness.NewJwt();
        jwt.Key = _harness.NewKey();
        jwt.Payload["aud"] = "someone-else";

        var decision = await DecideAsync(jwt);

        Assert.Same(ReasonCode.ClientJwtInvalidSignature, decision.Outcome.Failure);
        Assert.Null(decision.SignedBy);
    }

    [Fact]
    public async Task An_unknown_issuer_names_none()
    {
        var jwt = new TestClientJwt("nobody-registered", _harness.Key, DateTimeOffset.FromUnixTimeSeconds(ClientJwtPolicyHarness.Now), _harness.Body);

        var decision = await DecideAsync(jwt);

        Assert.Same(ReasonCode.ClientJwtUnknownApplication, decision.Outcome.Failure);
        Assert.Null(decision.SignedBy);
    }

    [Fact]
    public async Task A_malformed_token_names_none()
    {
        var decision = await _harness.NewPolicy().DecideAsync(
            ClientJwtPolicyHarness.Header("not-a-jwt"), _harness.Body, CancellationToken.None);

        Assert.Same(ReasonCode.ClientJwtMalformed, decision.Outcome.Failure);
        Assert.Null(decision.SignedBy);
    }

    private ReasonCode Arrange(string refusal, TestClientJwt jwt)
    {
        switch (refusal)
        {
            case "wrong audience":
                jwt.Payload["aud"] = "someone-else";
                return ReasonCode.ClientJwtAudienceMismatch;
            case "expired":
                _harness.Clock.Advance(TimeSpan.FromHours(1));
                return ReasonCode.ClientJwtExpired;
            case "not yet valid":
                jwt.Payload["iat"] = ClientJwtPolicyHarness.Now + 3600;
                jwt.Payload["exp"] = ClientJwtPolicyHarness.Now + 3660;
                return ReasonCode.ClientJwtNotYetValid;
            case "body hash mismatch":
                jwt.Payload["body_sha256"] = TestClientJwt.BodySha256("{\"subject\":\"someone-else\"}"u8);
                return ReasonCode.ClientJwtBodyHashMismatch;
            case "replayed":
                _harness.ReplayStore.TryRecordFirstUseAsync(default, default, default!, default, default)
                    .ReturnsForAnyArgs(JtiRecording.Replayed);
                return ReasonCode.ClientJwtReplayed;
            case "disabled":
                _harness.Register(_harness.Application with { Enabled = false });
                return ReasonCode.ApplicationDisabled;
            default:
                throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null);
        }
    }

    private Task<ClientJwtDecision> DecideAsync(TestClientJwt jwt) =>
        _harness.NewPolicy().DecideAsync(jwt.AuthorizationHeader(), _harness.Body, CancellationToken.None);
}
