using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;
using NSubstitute;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>The header, the compact JWS structure, the JSON members and their types, and the algorithm.</summary>
public sealed class ClientJwtPolicyStructureTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- Authorization header ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Bearer x")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("SudomimusClientJWT")]
    [InlineData("SudomimusClientJWT ")]
    [InlineData("SudomimusClientJWT    ")]
    public async Task Authorization_without_client_jwt_credentials_is_missing(string? authorization)
    {
        var outcome = await _h.AuthenticateAsync(authorization);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMissing, outcome);
        await _h.Directory.DidNotReceiveWithAnyArgs().FindByAnchorAsync(default, default);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("SudomimusClientJWT")]
    [InlineData("SudomimusClientJWT\t")]
    [InlineData("SudomimusClientJWTx ")]
    [InlineData("ClientJWT ")]
    [InlineData(" SudomimusClientJWT ")]
    public async Task Valid_token_under_another_scheme_or_without_the_space_is_missing(string prefix)
    {
        var token = _h.NewJwt().Sign();

        var outcome = await _h.AuthenticateAsync(prefix + token);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMissing, outcome);
    }

    [Theory]
    [InlineData("sudomimusclientjwt ")]
    [InlineData("SUDOMIMUSCLIENTJWT ")]
    [InlineData("sudomimusClientJwt ")]
    [InlineData("SudomimusClientJWT   ")]
    public async Task Scheme_is_matched_case_insensitively_and_followed_by_one_or_more_spaces(string prefix)
    {
        var jwt = _h.NewJwt();

        var outcome = await _h.AuthenticateAsync(prefix + jwt.Sign());

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    // ---- Compact JWS structure and base64url ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Token_without_exactly_three_segments_is_malformed(int count)
    {
        var segments = _h.NewJwt().Sign().Split('.');
        var parts = Enumerable.Range(0, count).Select(i => segments[Math.Min(i, 2)]);

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(string.Join('.', parts)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData(0, '*')]
    [InlineData(1, '*')]
    [InlineData(2, '*')]
    [InlineData(1, '~')]
    [InlineData(1, ' ')]
    [InlineData(2, '\n')]
    [InlineData(0, 'é')]
    public async Task Character_outside_base64url_is_malformed(int segment, char character)
    {
        var token = _h.NewJwt().Sign();
        var original = ClientJwtTampering.Segment(token, segment);
        var tampered = string.Concat(original.AsSpan(0, 5), character.ToString(), original.AsSpan(6));

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, segment, tampered)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Signature_in_the_standard_base64_alphabet_is_malformed()
    {
        // Same bytes as the genuine signature: a decoder that accepts '+' and '/' would let it through.
        var token = SignUntil(signature => signature.AsSpan().IndexOfAny('-', '_') >= 0);
        var standard = ClientJwtTampering.Segment(token, 2).Replace('-', '+').Replace('_', '/');

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, 2, standard)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("==")]
    [InlineData("=")]
    public async Task Padded_signature_is_malformed(string padding)
    {
        // 256 signature bytes are 342 base64url characters; "==" is exactly the padding standard base64 adds.
        var token = _h.NewJwt().Sign();

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token + padding));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Padded_payload_is_malformed()
    {
        var jwt = PayloadNeedingPadding();
        var token = jwt.Sign();
        var payload = ClientJwtTampering.Segment(token, 1);
        var padded = payload + new string('=', 4 - (payload.Length % 4));

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, 1, padded)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Signature_with_nonzero_unused_trailing_bits_is_malformed()
    {
        // Decodes to the genuine signature bytes, but it is a second spelling of them (RFC 4648 §3.5).
        var token = _h.NewJwt().Sign();
        var nonCanonical = ClientJwtTampering.WithNonCanonicalTail(ClientJwtTampering.Segment(token, 2));

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, 2, nonCanonical)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Payload_with_nonzero_unused_trailing_bits_is_malformed()
    {
        var token = PayloadNeedingPadding().Sign();
        var nonCanonical = ClientJwtTampering.WithNonCanonicalTail(ClientJwtTampering.Segment(token, 1));

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, 1, nonCanonical)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Token_over_4096_characters_is_malformed()
    {
        var jwt = PaddedToLength(length => length > 4096);
        var token = jwt.Sign();

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token));

        Assert.InRange(token.Length, 4097, 4098);
        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Token_of_exactly_4096_characters_is_accepted()
    {
        var jwt = PaddedToLength(length => length == 4096);

        var outcome = await _h.AuthenticateAsync(jwt);

        Assert.Equal(4096, jwt.Sign().Length);
        _h.AssertSucceeded(outcome);
    }

    // ---- JSON ----

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"alg":"RS256","typ":"JWT",}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT"}{}""")]
    [InlineData("""/* c */{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{'alg':'RS256','typ':'JWT'}""")]
    public async Task Header_that_is_not_json_is_malformed(string header)
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = header;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("unterminated")]
    [InlineData("trailing comma")]
    [InlineData("trailing content")]
    [InlineData("comment")]
    [InlineData("single quotes")]
    public async Task Payload_that_is_not_json_is_malformed(string damage)
    {
        // Built from the genuine payload where it can be, so a lenient parser would read the genuine claims.
        var jwt = _h.NewJwt();
        var payload = jwt.Payload.ToJsonString();
        jwt.RawPayloadJson = damage switch
        {
            "garbage" => "not json",
            "empty" => "",
            "unterminated" => payload[..^1],
            "trailing comma" => payload[..^1] + ",}",
            "trailing content" => payload + "{}",
            "comment" => "/* c */" + payload,
            _ => payload.Replace('"', '\''),
        };

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"RS256\"")]
    [InlineData("""[{"alg":"RS256","typ":"JWT"}]""")]
    public async Task Header_that_is_not_an_object_is_malformed(string header)
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = header;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"acme-app\"")]
    [InlineData("array")]
    public async Task Payload_that_is_not_an_object_is_malformed(string payload)
    {
        var jwt = _h.NewJwt();
        jwt.RawPayloadJson = payload == "array" ? $"[{jwt.Payload.ToJsonString()}]" : payload;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("""{"alg":"RS256","typ":"JWT","alg":"RS256"}""")]
    [InlineData("""{"alg":"none","alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JOSE","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT","\u0061lg":"RS256"}""")]
    public async Task Duplicated_header_member_is_malformed(string header)
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = header;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("iss", "\"other-app\"")]
    [InlineData("aud", "\"other-audience\"")]
    [InlineData("exp", "1")]
    [InlineData("jti", "\"first\"")]
    [InlineData("body_sha256", "\"AAAA\"")]
    [InlineData("iss", "\"acme-app\"")]
    [InlineData("\\u0069ss", "\"acme-app\"")]
    public async Task Duplicated_payload_member_is_malformed(string name, string firstValue)
    {
        // The genuine value comes last, where a last-wins parser would read it.
        var jwt = _h.NewJwt();
        jwt.RawPayloadJson = $"{{\"{name}\":{firstValue},{jwt.Payload.ToJsonString()[1..]}";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("header", "kid", """\uD800""")]
    [InlineData("header", "typ", """JWT\uDC00""")]
    [InlineData("payload", "iss", """acme-app\uD800""")]
    [InlineData("payload", "jti", """\uDFFF""")]
    public async Task Lone_surrogate_in_a_read_member_is_malformed_not_a_crash(string where, string name, string escaped)
    {
        // Legal JSON escapes (RFC 8259 §8.2) that denote no Unicode string: a claim must be readable as text.
        var jwt = _h.NewJwt();
        var tampered = WithFirstMember(where == "header" ? jwt.Header : jwt.Payload, name, $"\"{escaped}\"");
        if (where == "header")
        {
            jwt.RawHeaderJson = tampered;
        }
        else
        {
            jwt.RawPayloadJson = tampered;
        }

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("header", "kid")]
    [InlineData("header", "typ")]
    [InlineData("payload", "iss")]
    [InlineData("payload", "jti")]
    [InlineData("header", "x-note")]
    [InlineData("payload", "note")]
    public async Task Invalid_utf8_in_a_member_is_malformed_not_a_crash(string where, string name)
    {
        // 0xFF never occurs in UTF-8 (RFC 3629 §1), so the segment is not JSON text (RFC 8259 §8.1).
        var jwt = _h.NewJwt();
        var header = Encoding.UTF8.GetBytes(jwt.Header.ToJsonString());
        var payload = Encoding.UTF8.GetBytes(jwt.Payload.ToJsonString());
        var tampered = Encoding.UTF8.GetBytes(
            WithFirstMember(where == "header" ? jwt.Header : jwt.Payload, name, "\"<invalid>\""));
        tampered = ReplaceMarkerWithByte(tampered, "<invalid>"u8, 0xFF);
        var token = ClientJwtTampering.SignRaw(
            _h.Key, where == "header" ? tampered : header, where == "payload" ? tampered : payload);

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    // ---- Header parameters ----

    [Theory]
    [InlineData("crit", """["exp"]""")]
    [InlineData("crit", "[]")]
    [InlineData("jku", "\"https://attacker.example/jwks.json\"")]
    [InlineData("jwk", """{"kty":"RSA","n":"AQAB","e":"AQAB"}""")]
    [InlineData("x5u", "\"https://attacker.example/cert.pem\"")]
    [InlineData("x5c", """["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]""")]
    public async Task Header_that_fetches_embeds_or_extends_is_malformed(string name, string value)
    {
        var jwt = _h.NewJwt();
        jwt.Header[name] = JsonNode.Parse(value);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Header_embedding_the_registered_key_itself_is_still_malformed()
    {
        var jwt = _h.NewJwt();
        var key = _h.Key.ExportParameters(includePrivateParameters: false);
        jwt.Header["jwk"] = new JsonObject
        {
            ["kty"] = "RSA",
            ["n"] = Base64Url.EncodeToString(key.Modulus),
            ["e"] = Base64Url.EncodeToString(key.Exponent),
        };

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("\"JOSE\"")]
    [InlineData("\"at+jwt\"")]
    [InlineData("\"\"")]
    [InlineData("\"JWT \"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("""["JWT"]""")]
    public async Task Typ_other_than_JWT_is_malformed(string typ)
    {
        var jwt = _h.NewJwt();
        jwt.Header["typ"] = JsonNode.Parse(typ);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Absent_typ_is_accepted()
    {
        var jwt = _h.NewJwt();
        jwt.Header.Remove("typ");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("""["kid"]""")]
    [InlineData("""{"id":"kid"}""")]
    public async Task Non_string_kid_is_malformed(string kid)
    {
        var jwt = _h.NewJwt();
        jwt.Header["kid"] = JsonNode.Parse(kid);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Missing_alg_is_verified_as_RS256()
    {
        // contract/revoke-all.md: an absent alg is RS256 (the Python clients send the header {}); only a present
        // alg of the wrong type is malformed (below).
        var jwt = _h.NewJwt();
        jwt.Header.Remove("alg");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("null")]
    [InlineData("""["RS256"]""")]
    public async Task Non_string_alg_is_malformed(string alg)
    {
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = JsonNode.Parse(alg);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    // ---- Claims ----

    [Theory]
    [InlineData("iss")]
    [InlineData("aud")]
    [InlineData("iat")]
    [InlineData("exp")]
    [InlineData("jti")]
    [InlineData("body_sha256")]
    public async Task Missing_required_claim_is_malformed(string claim)
    {
        var jwt = _h.NewJwt();
        jwt.Payload.Remove(claim);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("iss")]
    [InlineData("aud")]
    [InlineData("iat")]
    [InlineData("exp")]
    [InlineData("jti")]
    [InlineData("body_sha256")]
    public async Task Required_claim_only_in_the_header_is_malformed(string claim)
    {
        var jwt = _h.NewJwt();
        jwt.Header[claim] = jwt.Payload[claim]!.DeepClone();
        jwt.Payload.Remove(claim);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("iat", "\"1700000000\"")]
    [InlineData("iat", "1700000000.0")]
    [InlineData("iat", "1.7e9")]
    [InlineData("iat", "17E8")]
    [InlineData("iat", "null")]
    [InlineData("exp", "\"1700000060\"")]
    [InlineData("exp", "1700000060.0")]
    [InlineData("exp", "1.70000006e9")]
    [InlineData("exp", "170000006E1")]
    [InlineData("nbf", "1700000000.0")]
    [InlineData("nbf", "1.7e9")]
    [InlineData("nbf", "\"1700000000\"")]
    [InlineData("nbf", "null")]
    [InlineData("aud", """["sudomimus-connect"]""")]
    [InlineData("aud", "null")]
    [InlineData("iss", """["acme-app"]""")]
    [InlineData("jti", "42")]
    [InlineData("body_sha256", "null")]
    public async Task Claim_of_the_wrong_type_is_malformed(string claim, string value)
    {
        // Numbers here denote the genuine value (iat = now, exp = now + 60): only their form is wrong.
        var jwt = _h.NewJwt();
        jwt.Payload[claim] = JsonNode.Parse(value);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Empty_jti_is_malformed()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["jti"] = "";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Jti_of_129_characters_is_malformed()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["jti"] = new string('j', 129);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("\u0000")]
    [InlineData("jti-\u0000-inside")]
    public async Task Jti_holding_NUL_is_malformed(string jti)
    {
        // Regression: the replay store could not record it and the request failed with a 500.
        var jwt = _h.NewJwt();
        jwt.Payload["jti"] = jti;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Jti_of_128_characters_is_accepted()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["jti"] = new string('j', 128);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
        _h.AssertJtiRecorded(jwt);
    }

    [Theory]
    [InlineData("other-app")]
    [InlineData("ACME-APP")]
    [InlineData("acme-app ")]
    [InlineData("")]
    public async Task Sub_other_than_iss_is_malformed(string subject)
    {
        var jwt = _h.NewJwt();
        jwt.Payload["sub"] = subject;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Non_string_sub_is_malformed()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["sub"] = new JsonArray("acme-app");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Sub_equal_to_iss_is_accepted()
    {
        var jwt = _h.NewJwt();
        jwt.Payload["sub"] = ClientJwtPolicyHarness.Anchor;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    // ---- Algorithm ----

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task Alg_none_with_an_empty_signature_is_rejected(string alg)
    {
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = alg;

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(jwt.WithSignature(_ => [])));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
        await _h.Directory.DidNotReceiveWithAnyArgs().FindByAnchorAsync(default, default);
    }

    [Fact]
    public async Task Alg_none_with_a_genuine_rs256_signature_is_rejected()
    {
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = "none";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
    }

    [Theory]
    [InlineData("spki")]
    [InlineData("pem")]
    public async Task HS256_keyed_with_the_registered_public_key_is_rejected(string keyForm)
    {
        // The classic key-confusion attack: the public key is public, so an HMAC over it proves nothing.
        var publicKey = keyForm == "spki"
            ? _h.Key.ExportSubjectPublicKeyInfo()
            : Encoding.ASCII.GetBytes(_h.Key.ExportSubjectPublicKeyInfoPem());
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = "HS256";

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(jwt.WithSignature(input => HMACSHA256.HashData(publicKey, input))));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS512")]
    public async Task Other_rsa_algorithm_signed_by_the_registered_key_is_rejected(string alg)
    {
        var hash = alg.EndsWith("256", StringComparison.Ordinal) ? HashAlgorithmName.SHA256
            : alg.EndsWith("384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384
            : HashAlgorithmName.SHA512;
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = alg;

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(jwt.WithSignature(input => _h.Key.SignData(input, hash, padding))));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
    }

    [Fact]
    public async Task ES256_is_rejected()
    {
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = "ES256";

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(jwt.WithSignature(input => ecKey.SignData(input, HashAlgorithmName.SHA256))));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
    }

    [Theory]
    [InlineData("rs256")]
    [InlineData("Rs256")]
    [InlineData("RS256 ")]
    public async Task Alg_differing_from_RS256_only_in_spelling_is_rejected(string alg)
    {
        // RFC 7515 §4.1.1: alg is case-sensitive; the signature itself is a genuine RS256 one.
        var jwt = _h.NewJwt();
        jwt.Header["alg"] = alg;

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtAlgorithmRejected, outcome);
    }

    /// <summary>The object's JSON text with <paramref name="name"/> moved to the front and given the raw JSON <paramref name="rawValue"/>.</summary>
    private static string WithFirstMember(JsonObject json, string name, string rawValue)
    {
        var rest = json.DeepClone().AsObject();
        rest.Remove(name);
        return $"{{\"{name}\":{rawValue},{rest.ToJsonString()[1..]}";
    }

    private static byte[] ReplaceMarkerWithByte(byte[] json, ReadOnlySpan<byte> marker, byte replacement)
    {
        var at = json.AsSpan().IndexOf(marker);
        Assert.True(at >= 0);
        return [.. json.AsSpan(0, at), replacement, .. json.AsSpan(at + marker.Length)];
    }

    /// <summary>A token whose signature segment satisfies <paramref name="wanted"/> (a fresh jti each try).</summary>
    private string SignUntil(Func<string, bool> wanted)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var token = _h.NewJwt().Sign();
            if (wanted(ClientJwtTampering.Segment(token, 2)))
            {
                return token;
            }
        }

        throw new InvalidOperationException("no token with the wanted signature in 100 tries");
    }

    /// <summary>A valid token whose payload segment has unused bits (its length is not a multiple of 4).</summary>
    private TestClientJwt PayloadNeedingPadding()
    {
        var jwt = _h.NewJwt();
        for (var length = 1; TestClientJwt.Segment(jwt.Payload.ToJsonString()).Length % 4 == 0; length++)
        {
            jwt.Payload["jti"] = new string('j', length);
        }

        return jwt;
    }

    /// <summary>A valid token, grown by an extra claim until its compact length first satisfies <paramref name="wanted"/>.</summary>
    private TestClientJwt PaddedToLength(Func<int, bool> wanted)
    {
        var jwt = _h.NewJwt();
        var fixedLength = TestClientJwt.Segment(jwt.Header.ToJsonString()).Length + 2 + 342;
        for (var padding = 0; padding < 4096; padding++)
        {
            jwt.Payload["pad"] = new string('p', padding);
            if (wanted(fixedLength + TestClientJwt.Segment(jwt.Payload.ToJsonString()).Length))
            {
                return jwt;
            }
        }

        throw new InvalidOperationException("no padding reaches the wanted length");
    }
}
