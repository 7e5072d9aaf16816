using System.Text;
using System.Text.Json.Serialization;
using Connect.Application.Jose;

namespace Connect.Application.Tests.Jose;

/// <summary>
/// The one strict reader on its own, as token segments and request bodies both use it: every refusal at every
/// level, and the one depth limit. The token and body suites hold the same rules through their readers.
/// </summary>
public sealed class StrictJsonTests
{
    public static TheoryData<string> Refused => new()
    {
        """{"a":1,"a":2}""",
        """{"a":1,"\u0061":2}""",
        // A duplicate three objects deep, and one inside an array inside an object.
        """{"x":{"y":{"a":1,"a":2}}}""",
        """{"x":{"y":{"a":1,"\u0061":2}}}""",
        """{"x":[{"y":{"b":1,"\u0062":1}}]}""",
        """{"a":1,}""",
        """{"a":[1,]}""",
        """{"a":1/* c */}""",
        """{"a":1// c""" + "\n}",
        """{"a":1} x""",
        """{"a":1}{"a":1}""",
        """{'a':1}""",
        """{"a":NaN}""",
        """{"a":"\ud800"}""",
        """{"x":{"y":["\udc00\ud800"]}}""",
        """{"x":{"\udfff":1}}""",
        "",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Text_that_is_not_strict_json_is_refused(string json)
    {
        Assert.False(StrictJson.TryParse(Encoding.UTF8.GetBytes(json), out _));
        Assert.Null(StrictJson.Deserialize<Body>(Encoding.UTF8.GetBytes(json), refuseUnknownMembers: false));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xFF })]
    public void Bytes_that_are_not_utf8_are_refused_in_a_member_nothing_reads(byte[] bad)
    {
        byte[] json = [.. """{"a":"x","x":{"y":"""u8, (byte)'"', .. bad, (byte)'"', (byte)'}', (byte)'}'];

        Assert.False(StrictJson.TryParse(json, out _));
        Assert.Null(StrictJson.Deserialize<Body>(json, refuseUnknownMembers: false));
    }

    [Fact]
    public void Nesting_reaches_the_one_limit_and_not_past_it()
    {
        // The outer object is level one.
        var deepest = "{\"x\":" + new string('[', StrictJson.MaxDepth - 1) + new string(']', StrictJson.MaxDepth - 1) + "}";
        var deeper = "{\"x\":" + new string('[', StrictJson.MaxDepth) + new string(']', StrictJson.MaxDepth) + "}";

        Assert.True(StrictJson.TryParse(Encoding.UTF8.GetBytes(deepest), out var document));
        document.Dispose();
        Assert.False(StrictJson.TryParse(Encoding.UTF8.GetBytes(deeper), out _));
        Assert.Null(StrictJson.Deserialize<Body>(Encoding.UTF8.GetBytes(deeper.Replace("{", "{\"a\":\"v\",", StringComparison.Ordinal)), false));
    }

    [Theory]
    [InlineData("""{"a":{"a":{"a":1}}}""")]
    [InlineData("""{"b":[{"a":1},{"a":2}]}""")]
    [InlineData(""" {"a":"\ud83d\ude00"} """)]
    public void Strict_json_is_accepted(string json)
    {
        Assert.True(StrictJson.TryParse(Encoding.UTF8.GetBytes(json), out var document));
        document.Dispose();
    }

    [Fact]
    public void A_body_binds_with_unknown_members_ignored_or_refused_as_asked()
    {
        var body = """{"a":"v","other":{"a":1}}"""u8.ToArray();

        Assert.Equal("v", StrictJson.Deserialize<Body>(body, refuseUnknownMembers: false)?.A);
        Assert.Null(StrictJson.Deserialize<Body>(body, refuseUnknownMembers: true));
    }

    [Fact]
    public void A_token_segment_reads_the_members_asked_for_and_counts_them_all()
    {
        var json = """{"\u0069at":1700000000,"x":{"iat":1},"exp":1.0e9,"sub":"s"}"""u8.ToArray();
        var room = default(JsonMembers);
        Span<JsonMember> members = room[..3];

        Assert.True(StrictJson.TryRead(json, ["iat"u8.ToArray(), "exp"u8.ToArray(), "sub"u8.ToArray()], members, out var count));

        Assert.Equal(4, count);
        Assert.Equal(1700000000, members[0].Integer);
        Assert.True(members[1].IsPresent);
        Assert.Null(members[1].Integer);
        Assert.Equal("s", members[2].Text);
    }

    private sealed record Body([property: JsonPropertyName("a")] string? A);
}
