using Connect.Application.Inquiries;

namespace Connect.Application.Tests.Inquiries;

public sealed class CallbackUrlsTests
{
    [Theory]
    [InlineData("https://shop.example/cb", "https://shop.example/cb?exposure-key=E&confirmation-key=C")]
    [InlineData("https://shop.example/cb?", "https://shop.example/cb?exposure-key=E&confirmation-key=C")]
    [InlineData("https://shop.example/cb?a=1&b=2", "https://shop.example/cb?a=1&b=2&exposure-key=E&confirmation-key=C")]
    [InlineData("https://shop.example/cb?exposure-key=old&a=1&confirmation-key=old", "https://shop.example/cb?a=1&exposure-key=E&confirmation-key=C")]
    [InlineData("https://shop.example/cb?confirmation%2Dkey=old&a=%20", "https://shop.example/cb?a=%20&exposure-key=E&confirmation-key=C")]
    [InlineData("https://shop.example/cb?exposure-key&x=1", "https://shop.example/cb?x=1&exposure-key=E&confirmation-key=C")]
    [InlineData("https://shop.example/cb?a=1#frag?x=1", "https://shop.example/cb?a=1&exposure-key=E&confirmation-key=C#frag?x=1")]
    [InlineData("https://shop.example/cb#top", "https://shop.example/cb?exposure-key=E&confirmation-key=C#top")]
    public void The_two_keys_are_appended_overwriting_earlier_ones_and_keeping_the_rest(string callbackUrl, string expected) =>
        Assert.Equal(expected, CallbackUrls.WithKeys(callbackUrl, "E", "C"));

    [Theory]
    [InlineData("https://shop.example/cb", true)]
    [InlineData("https://SHOP.EXAMPLE/cb", true)]
    [InlineData("https://shop.example:444/cb?x=1#y", true)]
    [InlineData("http://localhost:8080/cb", true)]
    [InlineData("http://[::1]/cb", true)]
    [InlineData("http://shop.example/cb", false)]
    [InlineData("https://shop.example.evil.test/cb", false)]
    [InlineData("https://shop.example@evil.test/cb", false)]
    [InlineData("https://evil.test@shop.example/cb", false)]
    [InlineData("https://evil.test\\.shop.example/cb", false)]
    [InlineData("https://shop.example\t/cb", false)]
    [InlineData("", false)]
    public void Only_https_to_an_allowed_host_or_http_to_loopback_is_allowed(string url, bool allowed) =>
        Assert.Equal(allowed, CallbackUrlPolicy.Allows(url, ["shop.example", "localhost", "::1"]));
}
