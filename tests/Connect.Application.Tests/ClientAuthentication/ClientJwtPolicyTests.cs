using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>The whole path: success, the body binding, the replay record, and the order of the checks.</summary>
public sealed class ClientJwtPolicyTests : IDisposable
{
    private const long Now = ClientJwtPolicyHarness.Now;

    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- Success ----

    [Fact]
    public async Task Valid_token_authenticates_the_application_named_by_iss()
    {
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt);

        Assert.True(outcome.Succeeded);
        Assert.Equal(_h.Application.Id, outcome.Value.Id);
        Assert.Equal(new ApplicationAnchor(ClientJwtPolicyHarness.Anchor), outcome.Value.Anchor);
        Assert.Equal(_h.Application.Sector, outcome.Value.Sector);
        await _h.Directory.Received(1).FindByAnchorAsync(
            new ApplicationAnchor(ClientJwtPolicyHarness.Anchor), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Valid_token_records_its_jti_for_the_application_until_exp_plus_30_seconds()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["jti"] = "jti-1";

        await _h.AuthenticateAsync(jwt);

        await _h.ReplayStore.Received(1).TryRecordFirstUseAsync(
            _h.Application.Id, _h.Application.Revision, "jti-1", DateTimeOffset.FromUnixTimeSeconds(Now + 60 + 30), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Cancellation_token_reaches_both_ports()
    {
        using var cancellation = new CancellationTokenSource();
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt.AuthorizationHeader(), cancellation.Token);

        _h.AssertSucceeded(outcome);
        await _h.Directory.Received(1).FindByAnchorAsync(Arg.Any<ApplicationAnchor>(), cancellation.Token);
        await _h.ReplayStore.Received(1).TryRecordFirstUseAsync(
            Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), cancellation.Token);
    }

    // ---- Body binding ----

    [Fact]
    public async Task Body_with_one_byte_altered_is_a_body_hash_mismatch()
    {
        var jwt = _h.NewJwt();
        var altered = _h.Body.ToArray();
        altered[^3] ^= 0x01;
        _h.Body = altered;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtBodyHashMismatch, outcome);
    }

    [Fact]
    public async Task Same_json_reserialised_with_other_whitespace_is_a_body_hash_mismatch()
    {
        // The hash binds the raw bytes, not the JSON value they carry.
        _h.Body = """{"subject":"subject-1"}"""u8.ToArray();
        var jwt = _h.NewJwt();
        _h.Body = """{ "subject": "subject-1" }"""u8.ToArray();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtBodyHashMismatch, outcome);
    }

    [Theory]
    [InlineData("base64url padded")]
    [InlineData("base64url unpadded")]
    [InlineData("base64 unpadded")]
    [InlineData("hex")]
    [InlineData("lowercase hex")]
    public async Task Body_hash_in_another_encoding_is_a_mismatch(string encoding)
    {
        // A body whose digest has '+' or '/' in standard base64, so the base64url spelling really differs.
        _h.Body = BodyWithUrlUnsafeDigest();
        var digest = SHA256.HashData(_h.Body);
        var jwt = _h.NewJwt();
        jwt.Payload["body_sha256"] = encoding switch
        {
            "base64url padded" => Convert.ToBase64String(digest).Replace('+', '-').Replace('/', '_'),
            "base64url unpadded" => Base64Url.EncodeToString(digest),
            "base64 unpadded" => Convert.ToBase64String(digest).TrimEnd('='),
            "hex" => Convert.ToHexString(digest),
            _ => Convert.ToHexStringLower(digest),
        };

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtBodyHashMismatch, outcome);
    }

    [Fact]
    public async Task Empty_body_under_a_token_bound_to_a_body_is_a_mismatch()
    {
        var jwt = _h.NewJwt();
        _h.Body = [];

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtBodyHashMismatch, outcome);
    }

    // ---- Replay ----

    [Fact]
    public async Task Replayed_jti_is_rejected()
    {
        _h.ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(JtiRecording.Replayed);
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt);

        Assert.Same(ReasonCode.ClientJwtReplayed, outcome.Failure);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Replay_store_fault_propagates_so_the_request_fails_closed()
    {
        _h.ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new TimeoutException("replay store unreachable"));
        var jwt = _h.NewJwt();

        var act = () => _h.AuthenticateAsync(jwt);

        await Assert.ThrowsAsync<TimeoutException>(act);
    }

    [Fact]
    public async Task Replay_store_throwing_synchronously_propagates_so_the_request_fails_closed()
    {
        _h.ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Throws(new InvalidOperationException("replay store unreachable"));
        var jwt = _h.NewJwt();

        var act = () => _h.AuthenticateAsync(jwt);

        await Assert.ThrowsAsync<InvalidOperationException>(act);
    }

    [Fact]
    public async Task Directory_fault_propagates()
    {
        _h.Directory.FindByAnchorAsync(Arg.Any<ApplicationAnchor>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new TimeoutException("database unreachable"));
        var jwt = _h.NewJwt();

        var act = () => _h.AuthenticateAsync(jwt);

        await Assert.ThrowsAsync<TimeoutException>(act);
        _h.AssertJtiNotBurned();
    }

    // ---- Order of the checks: the earliest failure answers ----

    [Fact]
    public async Task Missing_claim_under_a_rejected_algorithm_is_malformed()
    {
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = "HS256";
        jwt.Payload.Remove("jti");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Rejected_algorithm_from_an_unknown_application_is_rejected_before_any_lookup()
    {
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = "none";
        jwt.Payload["iss"] = "unknown-app";

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(jwt.WithSignature(_ => [])));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
        await _h.Directory.DidNotReceiveWithAnyArgs().FindByAnchorAsync(default, default);
    }

    [Fact]
    public async Task Unknown_application_with_a_wrong_audience_is_unknown()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iss"] = "unknown-app";
        jwt.Payload["aud"] = "other-audience";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtUnknownApplication, outcome);
    }

    [Fact]
    public async Task Bad_signature_on_an_expired_token_is_an_invalid_signature()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iat"] = Now - 120;
        jwt.Payload["exp"] = Now - 60;
        jwt.Key = _h.NewKey();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Wrong_audience_on_an_expired_token_is_an_audience_mismatch()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["aud"] = "other-audience";
        jwt.Payload["iat"] = Now - 120;
        jwt.Payload["exp"] = Now - 60;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAudienceMismatch, outcome);
    }

    [Fact]
    public async Task Expired_token_over_an_altered_body_is_expired()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iat"] = Now - 120;
        jwt.Payload["exp"] = Now - 60;
        _h.Body = RevokeAllBodies.For("someone-else");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtExpired, outcome);
    }

    [Fact]
    public async Task Altered_body_under_a_replayed_jti_is_a_mismatch_and_does_not_touch_the_replay_store()
    {
        // A tampered request must not burn the genuine request's jti.
        _h.ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(JtiRecording.Replayed);
        var jwt = _h.NewJwt();
        _h.Body = RevokeAllBodies.For("someone-else");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtBodyHashMismatch, outcome);
    }

    [Fact]
    public async Task Disabled_application_with_an_expired_token_is_expired()
    {
        _h.Register(_h.Application with { Enabled = false });
        var jwt = _h.NewJwt();
        jwt.Payload["iat"] = Now - 120;
        jwt.Payload["exp"] = Now - 60;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtExpired, outcome);
    }

    [Fact]
    public async Task Disabled_application_replaying_a_jti_is_replayed()
    {
        _h.Register(_h.Application with { Enabled = false });
        _h.ReplayStore.TryRecordFirstUseAsync(
                Arg.Any<AppId>(), Arg.Any<long>(), Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(JtiRecording.Replayed);
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt);

        Assert.Same(ReasonCode.ClientJwtReplayed, outcome.Failure);
    }

    private static byte[] BodyWithUrlUnsafeDigest()
    {
        for (var i = 0; ; i++)
        {
            var body = Encoding.UTF8.GetBytes($"{{\"subject\":\"subject-{i}\"}}");
            if (Convert.ToBase64String(SHA256.HashData(body)).AsSpan().IndexOfAny('+', '/') >= 0)
            {
                return body;
            }
        }
    }
}
