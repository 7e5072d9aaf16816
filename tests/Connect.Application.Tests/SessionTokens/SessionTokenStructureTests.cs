using System.Buffers.Text;
using Connect.Application.SessionTokens;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>
/// Reading is as strict as the client-JWT reader: exactly the members of docs/contract/sessions.md with their types and bounds,
/// strict JSON, canonical unpadded base64url. Each token here is re-signed with the application's real key, so
/// only the changed member is at fault: a lax reader would read and verify it.
/// </summary>
public sealed class SessionTokenStructureTests : IDisposable
{
    private static readonly string[] HeaderMembers = ["alg", "kid", "typ"];
    private static readonly string[] AccessMembers = ["iss", "aud", "sub", "sid", "jti", "iat", "exp"];
    private static readonly string[] RefreshMembers = ["iss", "aud", "sid", "jti", "iat", "exp", "rotationVersion"];
    private static readonly string[] IntegerMembers = ["iat", "exp", "rotationVersion"];

    private readonly SessionTokenHarness _h = new();

    public void Dispose() => _h.Dispose();

    public static TheoryData<TokenKind, bool, string> EveryMember()
    {
        var data = new TheoryData<TokenKind, bool, string>();
        foreach (var kind in new[] { TokenKind.Access, TokenKind.Refresh })
        {
            foreach (var name in HeaderMembers)
            {
                data.Add(kind, true, name);
            }

            foreach (var name in kind == TokenKind.Access ? AccessMembers : RefreshMembers)
            {
                data.Add(kind, false, name);
            }
        }

        return data;
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void The_unchanged_members_re_signed_are_read_and_verify(TokenKind kind)
    {
        // The control for every test below: the harness builds a genuine token.
        var token = _h.Sign(_h.Header(kind), _h.Payload(kind));

        Assert.True(_h.ReadsAndVerifies(kind, token));
    }

    [Theory]
    [MemberData(nameof(EveryMember))]
    public void Missing_member_is_refused(TokenKind kind, bool inHeader, string name)
    {
        var token = Changed(kind, inHeader, members => members.RemoveAll(member => member.Name == name));

        AssertInvalid(kind, token);
    }

    [Theory]
    [MemberData(nameof(EveryMember))]
    public void Duplicated_member_is_refused_even_with_the_same_value(TokenKind kind, bool inHeader, string name)
    {
        // RFC 8725 §3.8 spirit: two parsers may keep different copies of a duplicated member.
        var token = Changed(kind, inHeader, members => members.Add(members.Single(member => member.Name == name)));

        AssertInvalid(kind, token);
    }

    [Theory]
    [MemberData(nameof(EveryMember))]
    public void Duplicated_member_spelled_with_an_escape_is_refused(TokenKind kind, bool inHeader, string name)
    {
        // The raw JSON name is an escape that unescapes to the member's own name.
        var escaped = $"\\u{(int)name[0]:x4}{name[1..]}";

        AssertInvalid(kind, SignedWithRawName(kind, inHeader, escaped, name));
    }

    [Theory]
    [MemberData(nameof(EveryMember))]
    public void Member_of_the_wrong_type_is_refused(TokenKind kind, bool inHeader, string name)
    {
        foreach (var wrong in WrongTypesFor(name))
        {
            var token = Changed(kind, inHeader, members => Replace(members, name, wrong));

            AssertInvalid(kind, token, $"{name}: {wrong}");
        }
    }

    [Theory]
    [InlineData(TokenKind.Access, true, "cty", "\"JWT\"")]
    [InlineData(TokenKind.Access, true, "jku", "\"https://attacker.example/keys\"")]
    [InlineData(TokenKind.Access, true, "crit", "[\"exp\"]")]
    [InlineData(TokenKind.Access, false, "nbf", "1750000000")]
    [InlineData(TokenKind.Access, false, "email", "\"a@example.com\"")]
    [InlineData(TokenKind.Access, false, "rotationVersion", "1")]
    [InlineData(TokenKind.Refresh, true, "x5c", "[]")]
    [InlineData(TokenKind.Refresh, true, "x", "null")]
    [InlineData(TokenKind.Refresh, false, "sub", "\"s-6d1c0b2e\"")]
    [InlineData(TokenKind.Refresh, false, "name", "\"Ada\"")]
    [InlineData(TokenKind.Refresh, false, "x", "{}")]
    public void Extra_member_is_refused(TokenKind kind, bool inHeader, string name, string value)
    {
        var token = Changed(kind, inHeader, members => members.Add((name, value)));

        AssertInvalid(kind, token);
    }

    [Theory]
    [InlineData(TokenKind.Access, true, "alg", "\"rs256\"")]
    [InlineData(TokenKind.Access, true, "alg", "\"RS384\"")]
    [InlineData(TokenKind.Refresh, true, "alg", "\"none\"")]
    [InlineData(TokenKind.Refresh, true, "alg", "\"PS256\"")]
    [InlineData(TokenKind.Access, true, "typ", "\"JWT\"")]
    [InlineData(TokenKind.Access, true, "typ", "\"at+jwt\"")]
    [InlineData(TokenKind.Refresh, true, "typ", "\"VND.SUDOMIMUS.APPLICATION-REFRESH+JWT\"")]
    [InlineData(TokenKind.Refresh, true, "typ", "\"application/vnd.sudomimus.application-refresh+jwt\"")]
    [InlineData(TokenKind.Access, true, "kid", "\"\"")]
    [InlineData(TokenKind.Access, true, "kid", "\"a+b/c=\"")]
    [InlineData(TokenKind.Refresh, true, "kid", "\"k\\u0000\"")]
    [InlineData(TokenKind.Access, false, "iss", "\"\"")]
    [InlineData(TokenKind.Access, false, "aud", "\"\"")]
    [InlineData(TokenKind.Access, false, "sub", "\"\"")]
    [InlineData(TokenKind.Access, false, "sub", "\"a\\u0000b\"")]
    [InlineData(TokenKind.Access, false, "sid", "\"\"")]
    [InlineData(TokenKind.Access, false, "sid", "\"has space\"")]
    [InlineData(TokenKind.Refresh, false, "jti", "\"a.b\"")]
    [InlineData(TokenKind.Refresh, false, "sid", "\"\\ud800\"")]
    [InlineData(TokenKind.Access, false, "iat", "-1")]
    [InlineData(TokenKind.Access, false, "exp", "253402300800")]
    [InlineData(TokenKind.Refresh, false, "exp", "9223372036854775808")]
    [InlineData(TokenKind.Refresh, false, "rotationVersion", "0")]
    [InlineData(TokenKind.Refresh, false, "rotationVersion", "-1")]
    [InlineData(TokenKind.Refresh, false, "rotationVersion", "2147483648")]
    public void Member_with_a_value_out_of_bounds_is_refused(TokenKind kind, bool inHeader, string name, string value)
    {
        var token = Changed(kind, inHeader, members => Replace(members, name, value));

        AssertInvalid(kind, token);
    }

    [Theory]
    [InlineData(TokenKind.Access, "iss", 255)]
    [InlineData(TokenKind.Access, "aud", 255)]
    [InlineData(TokenKind.Access, "sub", 255)]
    [InlineData(TokenKind.Access, "sid", 128)]
    [InlineData(TokenKind.Refresh, "jti", 128)]
    [InlineData(TokenKind.Refresh, "kid", 128)]
    public void Strings_are_bounded_and_the_bound_itself_is_accepted(TokenKind kind, string name, int bound)
    {
        var atBound = Changed(kind, name == "kid", members => Replace(members, name, SessionTokenHarness.Quote(new string('a', bound))));
        var beyond = Changed(kind, name == "kid", members => Replace(members, name, SessionTokenHarness.Quote(new string('a', bound + 1))));

        var read = kind == TokenKind.Access ? _h.Codec.ReadAccess(atBound).Succeeded : _h.Codec.ReadRefresh(atBound).Succeeded;

        Assert.True(read, $"{name} of {bound} characters");
        AssertInvalid(kind, beyond);
    }

    [Theory]
    [InlineData(TokenKind.Access, "iat", "0")]
    [InlineData(TokenKind.Access, "exp", "253402300799")]
    [InlineData(TokenKind.Refresh, "rotationVersion", "2147483647")]
    [InlineData(TokenKind.Refresh, "exp", "1")]
    public void Integers_at_their_bounds_are_accepted(TokenKind kind, string name, string value)
    {
        var token = Changed(kind, false, members => Replace(members, name, value));

        Assert.True(_h.ReadsAndVerifies(kind, token));
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void Members_in_another_order_are_still_the_same_members(TokenKind kind)
    {
        // Order is fixed when minting, for byte-identical re-signing; JSON objects are unordered when reading.
        var token = _h.Sign(Enumerable.Reverse(_h.Header(kind)), Enumerable.Reverse(_h.Payload(kind)));

        Assert.True(_h.ReadsAndVerifies(kind, token));
    }

    [Theory]
    [InlineData(TokenKind.Access, "[]")]
    [InlineData(TokenKind.Refresh, "\"text\"")]
    [InlineData(TokenKind.Refresh, "{\"iss\":\"x\"} {}")]
    [InlineData(TokenKind.Access, "{\"iss\":\"x\",}")]
    [InlineData(TokenKind.Access, "{/* c */}")]
    [InlineData(TokenKind.Refresh, "")]
    public void Payload_that_is_not_one_strict_JSON_object_is_refused(TokenKind kind, string payload)
    {
        var token = _h.SignJson(SessionTokenHarness.ObjectOf(_h.Header(kind)), payload);

        AssertInvalid(kind, token);
    }

    [Fact]
    public void Access_token_presented_as_a_refresh_token_is_the_wrong_type()
    {
        var outcome = _h.Codec.ReadRefresh(_h.Access());

        Assert.Equal(ReasonCode.RefreshTokenInvalidType, outcome.Failure);
    }

    [Fact]
    public void Refresh_token_presented_as_an_access_token_is_invalid()
    {
        var outcome = _h.Codec.ReadAccess(_h.Refresh());

        Assert.Equal(ReasonCode.AccessTokenInvalid, outcome.Failure);
    }

    [Fact]
    public void Malformed_access_token_presented_as_a_refresh_token_is_invalid_not_the_wrong_type()
    {
        // Only a well-formed token of the other kind is "the wrong type"; anything else is not a token of ours.
        var accessWithoutSub = Changed(TokenKind.Access, false, members => members.RemoveAll(member => member.Name == "sub"));
        var otherType = Changed(TokenKind.Refresh, true, members => Replace(members, "typ", "\"JWT\""));

        Assert.Equal(ReasonCode.RefreshTokenInvalid, _h.Codec.ReadRefresh(accessWithoutSub).Failure);
        Assert.Equal(ReasonCode.RefreshTokenInvalid, _h.Codec.ReadRefresh(otherType).Failure);
    }

    [Fact]
    public void Access_payload_under_a_refresh_header_is_invalid()
    {
        var token = _h.Sign(_h.Header(TokenKind.Refresh), _h.Payload(TokenKind.Access));

        Assert.Equal(ReasonCode.RefreshTokenInvalid, _h.Codec.ReadRefresh(token).Failure);
        Assert.Equal(ReasonCode.AccessTokenInvalid, _h.Codec.ReadAccess(token).Failure);
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void A_changed_character_anywhere_fails_the_structure_or_the_signature(TokenKind kind)
    {
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();

        for (var i = 0; i < genuine.Length; i++)
        {
            foreach (var replacement in new[] { genuine[i] == 'A' ? 'B' : 'A', genuine[i] == '.' ? '_' : '.' })
            {
                var tampered = string.Concat(genuine.AsSpan(0, i), replacement.ToString(), genuine.AsSpan(i + 1));

                Assert.False(_h.ReadsAndVerifies(kind, tampered), $"position {i}: {replacement}");
            }
        }
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void A_flipped_bit_in_any_decoded_byte_fails(TokenKind kind)
    {
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();

        for (var segment = 0; segment < 3; segment++)
        {
            var bytes = Base64Url.DecodeFromChars(ClientJwtTampering.Segment(genuine, segment));
            for (var i = 0; i < bytes.Length; i++)
            {
                var changed = (byte[])bytes.Clone();
                changed[i] ^= 0x01;
                var tampered = ClientJwtTampering.WithSegment(genuine, segment, Base64Url.EncodeToString(changed));

                Assert.False(_h.ReadsAndVerifies(kind, tampered), $"segment {segment} byte {i}");
            }
        }
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void Padded_or_otherwise_non_canonical_base64url_is_refused(TokenKind kind)
    {
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();
        var spellings = new List<string>();
        for (var segment = 0; segment < 3; segment++)
        {
            var text = ClientJwtTampering.Segment(genuine, segment);
            var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
            spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, text + "="));
            spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, text + "=="));
            spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, padded == text ? text + "====" : padded));
            spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, " " + text));
            spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, text[..10] + "\n" + text[10..]));
            spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, text.Replace('-', '+').Replace('_', '/')));
            if (text.Length % 4 is 2 or 3)
            {
                spellings.Add(ClientJwtTampering.WithSegment(genuine, segment, ClientJwtTampering.WithNonCanonicalTail(text)));
            }
        }

        foreach (var spelling in spellings.Where(spelling => spelling != genuine))
        {
            Assert.False(_h.ReadsAndVerifies(kind, spelling), spelling);
            AssertInvalid(kind, spelling);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    public void Anything_but_three_segments_is_refused(string token)
    {
        AssertInvalid(TokenKind.Access, token);
        AssertInvalid(TokenKind.Refresh, token);
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void An_empty_signature_segment_is_refused(TokenKind kind)
    {
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();

        AssertInvalid(kind, genuine[..(genuine.LastIndexOf('.') + 1)]);
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void A_token_over_4096_bytes_is_refused_before_decoding(TokenKind kind)
    {
        // A signature segment of any length is structure the reader accepts (the key decides later), so only the
        // length check can refuse this token: at 4096 it is read, at 4097 it is not.
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();
        var signed = genuine[..genuine.LastIndexOf('.')];
        string WithSignatureOfLength(int length, int step)
        {
            // A canonical segment is never 1 more than a multiple of 4 characters long.
            length += length % 4 == 1 ? step : 0;
            return $"{signed}.{Base64Url.EncodeToString(new byte[length * 3 / 4])}";
        }

        var longest = WithSignatureOfLength(SessionTokenLimits.MaxTokenBytes - signed.Length - 1, step: -1);
        var tooLong = WithSignatureOfLength(SessionTokenLimits.MaxTokenBytes - signed.Length, step: +1);

        Assert.InRange(longest.Length, 4095, 4096);
        Assert.InRange(tooLong.Length, 4097, 4098);
        Assert.True(kind == TokenKind.Access ? _h.Codec.ReadAccess(longest).Succeeded : _h.Codec.ReadRefresh(longest).Succeeded);
        AssertInvalid(kind, tooLong);
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void A_token_verifies_under_its_kid_only(TokenKind kind)
    {
        var other = SessionTokenHarness.OtherRsa;
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();
        var sameMaterialOtherId = SessionTokenHarness.PublicKeyOf(_h.SigningKey, keyId: "another-key-id");
        var sameIdOtherMaterial = SessionTokenHarness.PublicKeyOf(new TokenSigningKey(_h.SigningKey.KeyId, other));
        var otherKey = SessionTokenHarness.PublicKeyOf(new TokenSigningKey(SessionTokenHarness.Thumbprint(other), other));

        Assert.True(Verifies(kind, genuine, _h.VerificationKey));
        Assert.False(Verifies(kind, genuine, sameMaterialOtherId));
        Assert.False(Verifies(kind, genuine, sameIdOtherMaterial));
        Assert.False(Verifies(kind, genuine, otherKey));
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void A_token_naming_another_kid_does_not_verify_under_the_key_that_signed_it(TokenKind kind)
    {
        // Signed by the application's key but claiming to be by another: the kid is part of what is checked.
        var token = Changed(kind, true, members => Replace(members, "kid", SessionTokenHarness.Quote("another-key-id")));

        Assert.False(Verifies(kind, token, _h.VerificationKey));
        Assert.True(Verifies(kind, token, SessionTokenHarness.PublicKeyOf(_h.SigningKey, keyId: "another-key-id")));
    }

    [Theory]
    [InlineData(TokenKind.Access)]
    [InlineData(TokenKind.Refresh)]
    public void A_signature_of_the_wrong_length_or_out_of_range_is_false_not_an_exception(TokenKind kind)
    {
        var genuine = kind == TokenKind.Access ? _h.Access() : _h.Refresh();

        foreach (var signature in new[] { new byte[1], new byte[255], new byte[257], Enumerable.Repeat((byte)0xFF, 256).ToArray() })
        {
            var token = ClientJwtTampering.WithSegment(genuine, 2, Base64Url.EncodeToString(signature));

            Assert.False(Verifies(kind, token, _h.VerificationKey));
        }
    }

    private string Changed(TokenKind kind, bool inHeader, Action<List<(string Name, string Value)>> change)
    {
        var header = _h.Header(kind);
        var payload = _h.Payload(kind);
        change(inHeader ? header : payload);
        return _h.Sign(header, payload);
    }

    private string SignedWithRawName(TokenKind kind, bool inHeader, string rawName, string name)
    {
        var header = _h.Header(kind);
        var payload = _h.Payload(kind);
        var members = inHeader ? header : payload;
        var value = members.Single(member => member.Name == name).Value;
        var json = SessionTokenHarness.ObjectOf(members);
        json = json[..^1] + $",\"{rawName}\":{value}}}";
        return inHeader
            ? _h.SignJson(json, SessionTokenHarness.ObjectOf(payload))
            : _h.SignJson(SessionTokenHarness.ObjectOf(header), json);
    }

    private bool Verifies(TokenKind kind, string token, TokenVerificationKey key) => kind == TokenKind.Access
        ? _h.Codec.ReadAccess(token) is { Succeeded: true } access && _h.Codec.Verifies(access.Value, key)
        : _h.Codec.ReadRefresh(token) is { Succeeded: true } refresh && _h.Codec.Verifies(refresh.Value, key);

    private void AssertInvalid(TokenKind kind, string token, string? because = null)
    {
        var expected = kind == TokenKind.Access ? ReasonCode.AccessTokenInvalid : ReasonCode.RefreshTokenInvalid;
        var actual = kind == TokenKind.Access ? _h.Codec.ReadAccess(token).Failure : _h.Codec.ReadRefresh(token).Failure;

        Assert.True(expected == actual, $"expected {expected}, got {actual?.Name ?? "success"} {because}");
    }

    private static void Replace(List<(string Name, string Value)> members, string name, string value)
    {
        var at = members.FindIndex(member => member.Name == name);
        members[at] = (name, value);
    }

    private static IEnumerable<string> WrongTypesFor(string name) => IntegerMembers.Contains(name)
        ? ["\"1750000000\"", "1750000000.0", "1.75e9", "true", "null", "[1750000000]", "{}"]
        : ["1", "true", "null", "[\"x\"]", "{\"x\":\"y\"}"];
}
