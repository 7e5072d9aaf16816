using Connect.Application.Administration;

namespace Connect.Application.Tests.Administration;

public sealed class CallbackHostTests
{
    [Theory]
    [InlineData("shop.example", "shop.example")]
    [InlineData("Shop.EXAMPLE", "shop.example")]
    [InlineData("localhost", "localhost")]
    [InlineData("a-b.c1.example", "a-b.c1.example")]
    [InlineData("münchen.example", "xn--mnchen-3ya.example")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("10.20.30.40", "10.20.30.40")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    [InlineData("[2001:DB8:0:0::1]", "2001:db8::1")]
    public void Host_is_normalized_as_a_URLs_IdnHost_gives_it(string host, string expected)
    {
        Assert.True(CallbackHost.TryNormalize(host, out var normalized, out var problem), problem);

        Assert.Equal(expected, normalized);
        Assert.Equal(normalized, new Uri($"https://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}/signed-in").IdnHost);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("https://shop.example", "without a scheme")]
    [InlineData("shop.example/signed-in", "without a path")]
    [InlineData("shop.example?x=1", "without a path")]
    [InlineData("shop.example#top", "without a path")]
    [InlineData("user@shop.example", "without user information")]
    [InlineData("shop.example:8443", "without a port")]
    [InlineData("[::1]:8443", "without a port")]
    [InlineData("[fe80::1%eth0]", "without a port")]
    [InlineData("1.2.3.4:80", "without a port")]
    [InlineData("[shop.example]", "without a port")]
    [InlineData("shop .example", "must not contain spaces")]
    [InlineData("shop.example\n", "must not contain spaces")]
    [InlineData("shop.example.", "must not end with a dot")]
    [InlineData("-shop.example", "not a valid DNS name")]
    [InlineData("shop-.example", "not a valid DNS name")]
    [InlineData("shop..example", "not a valid DNS name")]
    [InlineData("shop_1.example", "not a valid DNS name")]
    [InlineData("127.1", "not an IPv4 address")]
    [InlineData("256.0.0.1", "not an IPv4 address")]
    [InlineData("010.0.0.1", "not an IPv4 address")]
    [InlineData("2130706433", "not an IPv4 address")]
    [InlineData("shop.123", "neither a DNS name nor an IP address")]
    public void Anything_but_a_bare_host_is_refused_with_a_plain_reason(string host, string reason)
    {
        Assert.False(CallbackHost.TryNormalize(host, out var normalized, out var problem));

        Assert.Null(normalized);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_of_63_characters_is_a_host_and_of_64_is_not()
    {
        Assert.True(CallbackHost.TryNormalize($"{new string('a', 63)}.example", out _, out _));
        Assert.False(CallbackHost.TryNormalize($"{new string('a', 64)}.example", out _, out _));
    }

    [Fact]
    public void Name_of_253_characters_is_a_host_and_of_254_is_not()
    {
        var label = new string('a', 63);
        var longest = string.Join('.', label, label, label, new string('b', 61));

        Assert.Equal(253, longest.Length);
        Assert.True(CallbackHost.TryNormalize(longest, out _, out _));
        Assert.False(CallbackHost.TryNormalize(longest + "c", out _, out var problem));
        Assert.Contains("longer than 253", problem, StringComparison.Ordinal);
    }
}
