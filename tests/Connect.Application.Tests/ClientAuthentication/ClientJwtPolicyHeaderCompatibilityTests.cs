using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Connect.Domain.Outcomes;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// contract/revoke-all.md, the header's rules as the official clients meet them: a header without <c>alg</c> (the
/// Python clients send <c>{}</c>) is verified as RS256, and members the contract does not name (the TypeScript
/// clients add some) are ignored; what the contract refuses stays refused with the same reason.
/// </summary>
public sealed class ClientJwtPolicyHeaderCompatibilityTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- No alg: verified as RS256 ----

    [Fact]
    public async Task Empty_header_as_the_Python_clients_send_it_is_accepted_and_its_jti_recorded()
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = "{}";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Theory]
    [InlineData("""{"typ":"JWT"}""")]
    [InlineData("""{"kid":"{kid}"}""")]
    [InlineData("""{"kid":"{kid}","typ":"JWT"}""")]
    public async Task Header_without_alg_but_with_typ_or_kid_is_accepted(string header)
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = header.Replace("{kid}", ClientJwtPolicyHarness.KeyOf(_h.Key).Id.Value, StringComparison.Ordinal);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task Header_without_alg_signed_by_an_unregistered_key_has_an_invalid_signature()
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = "{}";
        jwt.Key = _h.NewKey();

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Fact]
    public async Task Header_without_alg_and_an_empty_signature_is_not_read_as_alg_none()
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = "{}";

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(jwt.WithSignature(_ => [])));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Theory]
    [InlineData("spki")]
    [InlineData("pem")]
    public async Task Header_without_alg_and_an_HMAC_keyed_with_the_public_key_has_an_invalid_signature(string keyForm)
    {
        // With no alg to take the algorithm from, the key-confusion attack meets RS256 and fails there.
        var publicKey = keyForm == "spki"
            ? _h.Key.ExportSubjectPublicKeyInfo()
            : System.Text.Encoding.ASCII.GetBytes(_h.Key.ExportSubjectPublicKeyInfoPem());
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = "{}";

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(jwt.WithSignature(input => HMACSHA256.HashData(publicKey, input))));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Theory]
    [InlineData("RS512")]
    [InlineData("PS256")]
    public async Task Header_without_alg_signed_by_the_registered_key_with_another_algorithm_has_an_invalid_signature(string alg)
    {
        var hash = alg.EndsWith("256", StringComparison.Ordinal) ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = "{}";

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(jwt.WithSignature(input => _h.Key.SignData(input, hash, padding))));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtInvalidSignature, outcome);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("PS256")]
    [InlineData("")]
    public async Task Present_alg_other_than_RS256_is_still_rejected_over_a_genuine_RS256_signature(string alg)
    {
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = alg;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
        await _h.Directory.DidNotReceiveWithAnyArgs().FindByAnchorAsync(default, default);
    }

    [Theory]
    [InlineData("crit", """["exp"]""")]
    [InlineData("jku", "\"https://attacker.example/jwks.json\"")]
    [InlineData("jwk", """{"kty":"RSA","n":"AQAB","e":"AQAB"}""")]
    [InlineData("x5u", "\"https://attacker.example/cert.pem\"")]
    [InlineData("x5c", """["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]""")]
    public async Task Header_without_alg_that_fetches_embeds_or_extends_is_still_malformed(string name, string value)
    {
        var jwt = _h.NewJwt();
        jwt.Header.Remove("alg");
        jwt.Header[name] = JsonNode.Parse(value);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    // ---- Members the contract does not name: ignored ----

    [Fact]
    public async Task Header_as_the_TypeScript_clients_send_it_with_iat_in_milliseconds_is_accepted()
    {
        // @sudoo/jwt's creator writes alg, typ and an iat of Date.now() (milliseconds) into every header.
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = $$"""{"alg":"RS256","typ":"JWT","iat":{{ClientJwtPolicyHarness.Now * 1000 + 123}}}""";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Theory]
    [InlineData("zip", "\"DEF\"")]
    [InlineData("enc", "\"A256GCM\"")]
    [InlineData("b64", "false")]
    [InlineData("cty", "1")]
    [InlineData("cty", "\"JWT\"")]
    [InlineData("x5t", "[[[]]]")]
    [InlineData("x5t#S256", "\"abc\"")]
    [InlineData("x-vendor", """{"nested":[1,"two",null,{"deep":true}]}""")]
    public async Task Header_member_the_contract_does_not_name_is_ignored(string name, string value)
    {
        var jwt = _h.NewJwt();
        jwt.Header[name] = JsonNode.Parse(value);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task Claims_written_into_the_header_are_ignored_and_never_read_in_place_of_the_payload()
    {
        // Claims come from the payload only: a header naming another issuer, audience and times changes nothing.
        var jwt = _h.NewJwt();
        jwt.Header["iss"] = "other-app";
        jwt.Header["aud"] = "someone-else";
        jwt.Header["exp"] = 1;
        jwt.Header["nbf"] = ClientJwtPolicyHarness.Now + 3600;
        jwt.Header["jti"] = "header-jti";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Fact]
    public async Task Ignored_member_still_has_to_be_strict_json_and_appear_once()
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = """{"alg":"RS256","typ":"JWT","iat":1,"iat":2}""";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }
}
