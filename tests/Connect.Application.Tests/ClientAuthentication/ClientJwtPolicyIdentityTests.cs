using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>Who the caller is: the application named by iss, the key that signed, the audience, the status.</summary>
public sealed class ClientJwtPolicyIdentityTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- Application ----

    [Fact]
    public async Task Iss_naming_no_registered_application_is_unknown()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iss"] = "unknown-app";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtUnknownApplication, outcome);
        await _h.Directory.Received(1).FindByAnchorAsync(new ApplicationAnchor("unknown-app"), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("ACME-APP")]
    [InlineData("Acme-App")]
    [InlineData("acme-app ")]
    [InlineData(" acme-app")]
    [InlineData("acme-app\n")]
    public async Task Iss_is_looked_up_exactly_as_sent_without_folding_or_trimming(string issuer)
    {
        var jwt = _h.NewJwt();
        jwt.Payload["iss"] = issuer;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtUnknownApplication, outcome);
        await _h.Directory.Received(1).FindByAnchorAsync(new ApplicationAnchor(issuer), Arg.Any<CancellationToken>());
        await _h.Directory.DidNotReceive().FindByAnchorAsync(
            new ApplicationAnchor(ClientJwtPolicyHarness.Anchor), Arg.Any<CancellationToken>());
    }

    // ---- Signature ----

    [Fact]
    public async Task Token_signed_by_an_unregistered_key_has_an_invalid_signature()
    {
        var jwt = _h.NewJwt();
        jwt.Key = _h.NewKey();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Application_without_active_keys_accepts_no_signature()
    {
        _h.Register(_h.Application with { ActiveKeys = [] });
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Token_signed_by_a_retired_key_has_an_invalid_signature(bool withKid)
    {
        // A retired key is simply absent from the active keys.
        var retired = ClientJwtPolicyHarness.KeyOf(_h.Key);
        _h.Register(_h.Application with { ActiveKeys = [ClientJwtPolicyHarness.KeyOf(_h.NewKey())] });
        var jwt = _h.NewJwt();
        if (withKid)
        {
            jwt.Header["kid"] = retired.Id.Value;
        }

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Theory]
    [InlineData("no-such-key")]
    [InlineData("")]
    [InlineData("case")]
    public async Task Kid_naming_none_of_the_active_keys_is_an_invalid_signature_even_when_an_active_key_signed(string kid)
    {
        var jwt = _h.NewJwt();
        var registered = ClientJwtPolicyHarness.KeyOf(_h.Key).Id.Value;
        jwt.Header["kid"] = kid == "case" ? SwapCase(registered) : kid;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Kid_of_the_registered_key_is_accepted()
    {
        var jwt = _h.NewJwt();
        jwt.Header["kid"] = ClientJwtPolicyHarness.KeyOf(_h.Key).Id.Value;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task During_rotation_a_token_signed_by_the_second_active_key_is_accepted(bool withKid)
    {
        var second = _h.NewKey();
        _h.Register(_h.Application with { ActiveKeys = [ClientJwtPolicyHarness.KeyOf(_h.Key), ClientJwtPolicyHarness.KeyOf(second)] });
        var jwt = _h.NewJwt();
        jwt.Key = second;
        if (withKid)
        {
            jwt.Header["kid"] = ClientJwtPolicyHarness.KeyOf(second).Id.Value;
        }

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task During_rotation_a_kid_naming_the_other_active_key_is_an_invalid_signature()
    {
        var second = _h.NewKey();
        _h.Register(_h.Application with { ActiveKeys = [ClientJwtPolicyHarness.KeyOf(_h.Key), ClientJwtPolicyHarness.KeyOf(second)] });
        var jwt = _h.NewJwt();
        jwt.Key = second;
        jwt.Header["kid"] = ClientJwtPolicyHarness.KeyOf(_h.Key).Id.Value;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Flipped_signature_bit_is_an_invalid_signature()
    {
        var token = _h.NewJwt().Sign();

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithFlippedSignatureBit(token)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Empty_rs256_signature_is_an_invalid_signature()
    {
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(jwt.WithSignature(_ => [])));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Genuine_signature_moved_onto_a_changed_payload_is_an_invalid_signature()
    {
        var jwt = _h.NewJwt();
        var genuine = jwt.Sign();
        jwt.Payload["jti"] = "another-jti";
        var changed = jwt.Sign();

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(
            ClientJwtTampering.WithSegment(changed, 2, ClientJwtTampering.Segment(genuine, 2))));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    // ---- Audience ----

    [Theory]
    [InlineData("other-audience")]
    [InlineData("Sudomimus-Connect")]
    [InlineData("SUDOMIMUS-CONNECT")]
    [InlineData("sudomimus-connect ")]
    [InlineData("https://sudomimus-connect")]
    [InlineData("")]
    public async Task Audience_other_than_the_accepted_one_is_a_mismatch(string audience)
    {
        var jwt = _h.NewJwt();
        jwt.Payload["aud"] = audience;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAudienceMismatch, outcome);
    }

    [Fact]
    public async Task Session_API_audience_is_accepted_by_default_and_named_in_the_caller()
    {
        // docs/contract/sessions.md: both generations of clients, sudomimus-connect and sudomimus-session, by default.
        var jwt = _h.NewJwt();
        jwt.Payload["aud"] = "sudomimus-session";

        var outcome = await _h.AuthenticateAsync(jwt);

        Assert.True(outcome.Succeeded);
        Assert.Equal(("sudomimus-session", true), (outcome.Value!.Audience, outcome.Value.IsSessionGeneration));
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Connect_API_audience_names_the_older_generation()
    {
        var outcome = await _h.AuthenticateAsync(_h.NewJwt());

        _h.AssertSucceeded(outcome);
        Assert.Equal(("sudomimus-connect", false), (outcome.Value!.Audience, outcome.Value.IsSessionGeneration));
    }

    [Fact]
    public async Task Audience_added_by_an_operator_is_accepted()
    {
        _h.Options.AcceptedAudiences.Add("connect.internal.example");
        var jwt = _h.NewJwt();
        jwt.Payload["aud"] = "connect.internal.example";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        Assert.Equal("connect.internal.example", outcome.Value!.Audience);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Default_audience_is_still_accepted_after_an_operator_adds_one()
    {
        // CONTRACT: sudomimus-connect is "the default and only value unless an operator adds one"; the
        // official SDKs always send it, so adding an audience must not lock them out.
        _h.Options.AcceptedAudiences.Add("connect.internal.example");
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task Audience_not_listed_is_a_mismatch_after_an_operator_adds_one()
    {
        _h.Options.AcceptedAudiences.Add("connect.internal.example");
        var jwt = _h.NewJwt();
        jwt.Payload["aud"] = "other-audience";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAudienceMismatch, outcome);
    }

    // ---- Status ----

    [Fact]
    public async Task Disabled_application_with_an_invalid_signature_learns_only_the_invalid_signature()
    {
        _h.Register(_h.Application with { Enabled = false });
        var jwt = _h.NewJwt();
        jwt.Key = _h.NewKey();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Disabled_application_with_a_valid_token_is_disabled()
    {
        _h.Register(_h.Application with { Enabled = false });
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(jwt);

        Assert.Same(ReasonCode.ApplicationDisabled, outcome.Failure);
        _h.AssertJtiRecorded(jwt);
    }

    private static string SwapCase(string value) =>
        string.Concat(value.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
}
