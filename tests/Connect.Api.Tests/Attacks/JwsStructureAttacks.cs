using System.Text;
using System.Text.Json.Nodes;
using Connect.Testing.ClientJwts;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// The compact JWS and its JSON: segment counts, non-canonical base64url, bad or ambiguous JSON, and header
/// parameters that change how a token is processed. Every token here is signed with the application's real
/// key, so only its structure is at fault; all are <c>ClientJwtMalformed</c> and change nothing, except the header
/// members the contract ignores, which are shown to change nothing either way.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class JwsStructureAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("...")]
    [InlineData("{h}")]
    [InlineData("{h}.{p}")]
    [InlineData("{h}.{p}.{s}.")]
    [InlineData("{h}.{p}.{s}.{s}")]
    [InlineData("{h}.{p}.{s}.{h}.{p}")]
    [InlineData("{p}.{h}.{s}")]
    [InlineData(".{p}.{s}")]
    public async Task Wrong_segment_count_or_order_is_malformed(string shape)
    {
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();
        var forged = shape
            .Replace("{h}", ClientJwtTampering.Segment(token, 0), StringComparison.Ordinal)
            .Replace("{p}", ClientJwtTampering.Segment(token, 1), StringComparison.Ordinal)
            .Replace("{s}", ClientJwtTampering.Segment(token, 2), StringComparison.Ordinal);

        await AssertMalformedAsync(victim, forged);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Fact]
    public async Task Empty_signature_segment_is_structurally_whole_and_verifies_against_nothing()
    {
        // docs/decisions.md: an empty signature is a valid segment; under RS256 it is simply a bad signature.
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();
        var unsigned = ClientJwtTampering.WithSegment(token, 2, "");

        var response = await target.SendAsync($"SudomimusClientJWT {unsigned}", victim.Body);

        await ApiAssert.ReasonAsync(response, System.Net.HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        await target.AssertUntouchedAsync(victim);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Theory]
    [InlineData("padded header")]
    [InlineData("padded signature")]
    [InlineData("standard alphabet signature")]
    [InlineData("non-canonical payload tail")]
    [InlineData("non-canonical signature tail")]
    [InlineData("space inside payload")]
    [InlineData("percent-encoded dot")]
    public async Task Non_canonical_base64url_of_the_genuine_bytes_is_malformed(string spelling)
    {
        // Each spelling decodes (leniently) to the genuine bytes: accepting it would give one token two texts.
        var victim = await target.NewVictimAsync();
        var token = SignWith(victim, jwt => jwt.Payload["jti"] = UnpaddedJti(jwt));
        var header = ClientJwtTampering.Segment(token, 0);
        var payload = ClientJwtTampering.Segment(token, 1);
        var signature = ClientJwtTampering.Segment(token, 2);
        var forged = spelling switch
        {
            "padded header" => $"{header}{Padding(header)}.{payload}.{signature}",
            "padded signature" => $"{header}.{payload}.{signature}{Padding(signature)}",
            "standard alphabet signature" => $"{header}.{payload}.{signature.Replace('-', '+').Replace('_', '/')}",
            "non-canonical payload tail" => $"{header}.{ClientJwtTampering.WithNonCanonicalTail(payload)}.{signature}",
            "non-canonical signature tail" => $"{header}.{payload}.{ClientJwtTampering.WithNonCanonicalTail(signature)}",
            "space inside payload" => $"{header}.{payload[..8]} {payload[8..]}.{signature}",
            _ => $"{header}%2E{payload}.{signature}",
        };
        Assert.NotEqual(token, forged);

        await AssertMalformedAsync(victim, forged);
        await target.AssertGenuineStillAcceptedAsync(victim, token);
    }

    [Theory]
    [InlineData("header", "not json")]
    [InlineData("header", "")]
    [InlineData("header", "[]")]
    [InlineData("header", "null")]
    [InlineData("header", "\"RS256\"")]
    [InlineData("header", """{"alg":"RS256","typ":"JWT",}""")]
    [InlineData("header", """{"alg":"RS256","typ":"JWT"}{}""")]
    [InlineData("header", """{'alg':'RS256','typ':'JWT'}""")]
    [InlineData("header", """/**/{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("payload", "truncated")]
    [InlineData("payload", "trailing comma")]
    [InlineData("payload", "trailing object")]
    [InlineData("payload", "NaN member")]
    [InlineData("payload", "array")]
    [InlineData("payload", "unquoted name")]
    public async Task Json_that_is_not_one_strict_object_is_malformed(string part, string json)
    {
        var victim = await target.NewVictimAsync();

        var forged = SignWith(victim, jwt =>
        {
            var payload = jwt.Payload.ToJsonString();
            if (part == "header")
            {
                jwt.RawHeaderJson = json;
                return;
            }

            jwt.RawPayloadJson = json switch
            {
                "truncated" => payload[..^1],
                "trailing comma" => payload[..^1] + ",}",
                "trailing object" => payload + "{}",
                "NaN member" => payload[..^1] + ""","x":NaN}""",
                "array" => $"[{payload}]",
                _ => "{iss" + payload[6..],
            };
        });

        await AssertMalformedAsync(victim, forged);
    }

    [Theory]
    [InlineData("payload", 9)]
    [InlineData("payload", 64)]
    [InlineData("payload", 1000)]
    [InlineData("header", 9)]
    [InlineData("header", 1000)]
    public async Task Deeply_nested_json_is_malformed(string part, int depth)
    {
        var victim = await target.NewVictimAsync();
        var nested = new string('[', depth) + new string(']', depth);

        var forged = SignWith(victim, jwt =>
        {
            if (part == "header")
            {
                jwt.RawHeaderJson = jwt.Header.ToJsonString()[..^1] + $",\"x\":{nested}}}";
            }
            else
            {
                jwt.RawPayloadJson = jwt.Payload.ToJsonString()[..^1] + $",\"x\":{nested}}}";
            }
        });

        await AssertMalformedAsync(victim, forged);
    }

    [Theory]
    [InlineData("header", "alg", "\"none\"")]
    [InlineData("header", "alg", "\"RS256\"")]
    [InlineData("header", "typ", "\"JWT\"")]
    [InlineData("header", "kid", "\"x\"")]
    [InlineData("payload", "iss", "\"someone-else\"")]
    [InlineData("payload", "aud", "\"sudomimus-connect\"")]
    [InlineData("payload", "exp", "9999999999")]
    [InlineData("payload", "jti", "\"second\"")]
    [InlineData("payload", "body_sha256", "\"AAAA\"")]
    [InlineData("payload", "\\u0069ss", "\"someone-else\"")]
    [InlineData("payload", "\\u006a\\u0074\\u0069", "\"second\"")]
    public async Task Duplicated_member_is_malformed(string part, string name, string value)
    {
        // Two parsers may keep different copies of a duplicated member (RFC 8725 §3.8 spirit), also when one
        // copy spells its name with escapes.
        var victim = await target.NewVictimAsync();

        var forged = SignWith(victim, jwt =>
        {
            var json = part == "header" ? jwt.Header : jwt.Payload;
            if (name == "kid")
            {
                json["kid"] = "x";
            }

            var text = json.ToJsonString()[..^1] + $",\"{name}\":{value}}}";
            if (part == "header")
            {
                jwt.RawHeaderJson = text;
            }
            else
            {
                jwt.RawPayloadJson = text;
            }
        });

        await AssertMalformedAsync(victim, forged);
    }

    [Theory]
    [InlineData("crit", """["exp"]""")]
    [InlineData("crit", "[]")]
    [InlineData("crit", """["b64"]""")]
    [InlineData("typ", "\"jwt\"")]
    [InlineData("typ", "\"at+jwt\"")]
    [InlineData("typ", "\"JOSE\"")]
    [InlineData("typ", "\"JWT \"")]
    [InlineData("typ", "1")]
    [InlineData("typ", "null")]
    public async Task Header_parameter_that_changes_processing_is_malformed(string name, string value)
    {
        var victim = await target.NewVictimAsync();

        var forged = SignWith(victim, jwt => jwt.Header[name] = JsonNode.Parse(value));

        await AssertMalformedAsync(victim, forged);
    }

    [Theory]
    [InlineData("zip", "\"DEF\"")]
    [InlineData("enc", "\"A256GCM\"")]
    [InlineData("b64", "false")]
    public async Task Header_parameter_the_contract_does_not_name_is_ignored(string name, string value)
    {
        // contract/revoke-all.md: header members other than alg, typ, kid, jku, x5u, jwk, x5c and crit are ignored.
        // None of these can change what is verified: the signature is always RS256 over the segments as sent, and b64
        // means something only when crit lists it, and crit is refused (above).
        var victim = await target.NewVictimAsync();

        var token = SignWith(victim, jwt => jwt.Header[name] = JsonNode.Parse(value));

        var response = await target.SendAsync($"SudomimusClientJWT {token}", victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    [Theory]
    [InlineData("invalid UTF-8 in payload")]
    [InlineData("overlong UTF-8 in header")]
    [InlineData("BOM before header")]
    [InlineData("lone surrogate in iss")]
    [InlineData("reversed surrogate pair in jti")]
    public async Task Text_that_is_not_well_formed_unicode_is_malformed(string damage)
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        var header = Encoding.UTF8.GetBytes(jwt.Header.ToJsonString());
        var payload = Encoding.UTF8.GetBytes(jwt.Payload.ToJsonString());
        (header, payload) = damage switch
        {
            "invalid UTF-8 in payload" => (header, Replace(payload, "\"jti\":\"", [.. "\"jti\":\""u8, 0xC3, 0x28])),
            "overlong UTF-8 in header" => (Replace(header, "\"JWT\"", [(byte)'"', 0xC1, 0x8A, .. "WT\""u8]), payload),
            "BOM before header" => ([0xEF, 0xBB, 0xBF, .. header], payload),
            "lone surrogate in iss" => (header, Replace(payload, "\"iss\":\"", "\"iss\":\"\\ud800"u8.ToArray())),
            _ => (header, Replace(payload, "\"jti\":\"", "\"jti\":\"\\udc00\\ud800"u8.ToArray())),
        };

        await AssertMalformedAsync(victim, ClientJwtTampering.SignRaw(target.App.Key, header, payload));
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_structure_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private async Task AssertMalformedAsync(Victim victim, string token)
    {
        var response = await target.SendAsync($"SudomimusClientJWT {token}", victim.Body);

        await ApiAssert.ReasonAsync(response, System.Net.HttpStatusCode.Unauthorized, "ClientJwtMalformed");
        await target.AssertUntouchedAsync(victim);
    }

    private string SignWith(Victim victim, Action<TestClientJwt> tamper)
    {
        var jwt = target.NewJwt(victim.Body);
        tamper(jwt);
        return jwt.Sign();
    }

    /// <summary>A jti that leaves the payload segment with unused bits (its length not a multiple of 4).</summary>
    private static string UnpaddedJti(TestClientJwt jwt)
    {
        var unique = Guid.NewGuid().ToString("N");
        for (var length = 0; ; length++)
        {
            var jti = unique + new string('j', length);
            jwt.Payload["jti"] = jti;
            if (TestClientJwt.Segment(jwt.Payload.ToJsonString()).Length % 4 is 2 or 3)
            {
                return jti;
            }
        }
    }

    private static string Padding(string segment) => new('=', (4 - (segment.Length % 4)) % 4 is 0 ? 4 : (4 - (segment.Length % 4)) % 4);

    private static byte[] Replace(byte[] json, string marker, byte[] replacement)
    {
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        Assert.True(at >= 0, marker);
        return [.. json.AsSpan(0, at), .. replacement, .. json.AsSpan(at + Encoding.UTF8.GetByteCount(marker))];
    }
}
