using System.Text;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// The edges the reader's own single pass must hold: duplicates and depth at every level, escapes and UTF-8
/// anywhere in the text, the last character of a base64url segment, and registered members known only by an
/// escaped spelling of their name. Every token is signed with the registered key, so only its text is at fault.
/// </summary>
public sealed class ClientJwtPolicyStrictJsonTests : IDisposable
{
    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- Duplicates and depth below the top level ----

    [Theory]
    [InlineData("header", """{"a":1,"a":2}""")]
    [InlineData("header", """{"a":1,"\u0061":2}""")]
    [InlineData("header", """[{"a":1,"a":2}]""")]
    [InlineData("payload", """{"o":{"a":1,"a":2}}""")]
    [InlineData("payload", """{"o":{"p":{"a":1,"a":2}}}""")]
    [InlineData("header", """{"o":{"p":{"a":1,"\u0061":2}}}""")]
    [InlineData("payload", """[1,{"b":[{"a":1,"\u0061":2}]}]""")]
    [InlineData("payload", """{"iss":"acme-app","iss":"other-app"}""")]
    public async Task Duplicated_member_inside_a_nested_object_is_malformed(string where, string nested)
    {
        // RFC 8725 §3.8 spirit: a parser that keeps the last copy of a nested member reads another document.
        var jwt = WithExtraMember(where, "x", nested);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("""{"a":{"a":{"a":1}}}""")]
    [InlineData("""[{"a":1},{"a":2}]""")]
    [InlineData("""{"iss":"other-app","alg":"none","x":{"iss":1}}""")]
    public async Task Same_name_in_different_objects_is_accepted(string nested)
    {
        // Names are unique per object (RFC 8259 §4), and a nested member is not the top-level claim it is named after.
        var jwt = WithExtraMember("payload", "x", nested);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task Hundreds_of_distinct_members_are_accepted()
    {
        var jwt = WithExtraMember("payload", "x", ObjectOf(ManyNames()));

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Fact]
    public async Task A_duplicate_among_hundreds_of_members_is_malformed()
    {
        // Near the 4096-character limit: the duplicate check must hold for an object of any size.
        var jwt = WithExtraMember("payload", "x", ObjectOf([.. ManyNames(), "b\\u0063"]));

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("payload")]
    public async Task Nesting_eight_deep_is_accepted(string where)
    {
        // The object is level one; seven arrays inside it reach the limit of eight.
        var jwt = WithExtraMember(where, "x", new string('[', 7) + new string(']', 7));

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("payload")]
    public async Task Objects_nested_nine_deep_are_malformed(string where)
    {
        var jwt = WithExtraMember(where, "x", string.Concat(Enumerable.Repeat("""{"a":""", 7)) + "{}" + new string('}', 7));

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("payload")]
    public async Task Whitespace_around_the_object_is_accepted(string where)
    {
        // RFC 8259 §2: insignificant whitespace may surround the value.
        var jwt = _h.NewJwt();
        if (where == "header")
        {
            jwt.RawHeaderJson = $" \t{jwt.Header.ToJsonString()}\r\n ";
        }
        else
        {
            jwt.RawPayloadJson = $"\n{jwt.Payload.ToJsonString()} ";
        }

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    // ---- Text ----

    [Theory]
    [InlineData("header", """{"\ud800":1}""")]
    [InlineData("header", """["\udc00"]""")]
    [InlineData("header", """["\ud800\u0041"]""")]
    [InlineData("payload", """{"a":{"\udfff":1}}""")]
    [InlineData("payload", """[["\udc00\ud800"]]""")]
    public async Task Lone_surrogate_below_the_top_level_is_malformed(string where, string nested)
    {
        // RFC 8259 §8.2: such a string denotes no Unicode text, whichever member carries it.
        var jwt = WithExtraMember(where, "x", nested);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Lone_surrogate_in_a_header_member_name_is_malformed()
    {
        var jwt = WithExtraMember("header", "\\ud800", "1");

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData("header", "name")]
    [InlineData("payload", "name")]
    [InlineData("payload", "nested")]
    public async Task Invalid_utf8_outside_a_read_member_is_malformed(string where, string place)
    {
        // RFC 3629 §1: 0xFF never occurs in UTF-8, wherever in the segment it stands.
        var jwt = _h.NewJwt();
        var json = where == "header" ? jwt.Header.ToJsonString() : jwt.Payload.ToJsonString();
        var marked = place == "name"
            ? json[..^1] + ""","x<invalid>":1}"""
            : json[..^1] + ""","x":{"a":["<invalid>"]}}""";
        var tampered = ReplaceMarkerWithByte(Encoding.UTF8.GetBytes(marked), "<invalid>"u8, 0xFF);
        var header = where == "header" ? tampered : Encoding.UTF8.GetBytes(jwt.Header.ToJsonString());
        var payload = where == "payload" ? tampered : Encoding.UTF8.GetBytes(jwt.Payload.ToJsonString());

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(ClientJwtTampering.SignRaw(_h.Key, header, payload)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    // ---- Registered members spelled with escapes ----

    [Theory]
    // The header's cty and x5t once had a type rule here; they are ignored now (contract/revoke-all.md), so typ and
    // x5u, which keep theirs, stand in for them.
    [InlineData("header", "\\u0074yp", "1")]
    [InlineData("header", "x\\u0035u", "\"https://attacker.example/cert.pem\"")]
    [InlineData("header", "\\u006Bid", "7")]
    [InlineData("header", "\\u0063rit", "[]")]
    [InlineData("payload", "\\u0061zp", "5")]
    [InlineData("payload", "\\u0073ub", "\"other-app\"")]
    public async Task Registered_member_spelled_with_escapes_keeps_its_rule(string where, string name, string value)
    {
        // The name is compared after unescaping (RFC 8259 §7), as any other parser would read it.
        var jwt = WithExtraMember(where, name, value);

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Fact]
    public async Task Alg_spelled_with_escapes_is_read_as_alg()
    {
        var jwt = _h.NewJwt();
        jwt.RawHeaderJson = """{"\u0061lg":"RS256","typ":"JWT"}""";

        var outcome = await _h.AuthenticateAsync(jwt);

        _h.AssertSucceeded(outcome);
    }

    // ---- Base64url ----

    [Fact]
    public async Task Header_with_nonzero_unused_trailing_bits_is_malformed()
    {
        var jwt = _h.NewJwt();
        for (var length = 1; TestClientJwt.Segment(jwt.Header.ToJsonString()).Length % 4 == 0; length++)
        {
            jwt.Header["kid"] = new string('k', length);
        }

        var token = jwt.Sign();
        var nonCanonical = ClientJwtTampering.WithNonCanonicalTail(ClientJwtTampering.Segment(token, 0));

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, 0, nonCanonical)));

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Segment_with_a_lone_last_character_is_malformed(int segment)
    {
        // RFC 4648 §4: one character carries six bits, no whole byte; no encoder writes a group of one.
        var token = _h.NewJwt().Sign();
        var original = ClientJwtTampering.Segment(token, segment);
        var grown = original + new string('A', (5 - (original.Length % 4)) % 4);

        var outcome = await _h.AuthenticateAsync(
            ClientJwtPolicyHarness.Header(ClientJwtTampering.WithSegment(token, segment, grown)));

        Assert.Equal(1, grown.Length % 4);
        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    /// <summary>A valid token with one more member, written as raw JSON after the genuine ones.</summary>
    private TestClientJwt WithExtraMember(string where, string name, string rawValue)
    {
        var jwt = _h.NewJwt();
        var json = where == "header" ? jwt.Header.ToJsonString() : jwt.Payload.ToJsonString();
        var text = json[..^1] + $",\"{name}\":{rawValue}}}";
        if (where == "header")
        {
            jwt.RawHeaderJson = text;
        }
        else
        {
            jwt.RawPayloadJson = text;
        }

        return jwt;
    }

    /// <summary>250 distinct two-letter member names: "aa", "ab", ... "bc", ...</summary>
    private static List<string> ManyNames()
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        return [.. letters.SelectMany(first => letters.Select(second => $"{first}{second}")).Take(250)];
    }

    private static string ObjectOf(IEnumerable<string> names) => "{" + string.Join(',', names.Select(name => $"\"{name}\":0")) + "}";

    private static byte[] ReplaceMarkerWithByte(byte[] json, ReadOnlySpan<byte> marker, byte replacement)
    {
        var at = json.AsSpan().IndexOf(marker);
        Assert.True(at >= 0);
        return [.. json.AsSpan(0, at), replacement, .. json.AsSpan(at + marker.Length)];
    }
}
