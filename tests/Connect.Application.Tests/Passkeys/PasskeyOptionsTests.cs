using Connect.Application.Passkeys;

namespace Connect.Application.Tests.Passkeys;

public sealed class PasskeyOptionsTests
{
    [Fact]
    public void Unset_the_relying_party_and_origin_follow_the_public_url()
    {
        var options = new PasskeyOptions { PublicUrl = "https://id.example.com/" };

        Assert.Equal("https://id.example.com", options.EffectivePublicUrl);
        Assert.Equal("id.example.com", options.EffectiveRelyingPartyId);
        Assert.Equal(["https://id.example.com"], options.EffectiveOrigins);
        Assert.Null(options.Problem());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://localhost:5080")]
    [InlineData("http://[::1]:5080", "http://localhost:5080")]
    [InlineData("http://localhost:5080", "http://localhost:5080")]
    public void A_loopback_ip_address_is_read_as_localhost_because_webauthn_refuses_ip_addresses(string configured, string effective)
    {
        var options = new PasskeyOptions { PublicUrl = configured };

        Assert.Equal(effective, options.EffectivePublicUrl);
        Assert.Equal("localhost", options.EffectiveRelyingPartyId);
    }

    [Fact]
    public void Configured_relying_party_and_origins_win()
    {
        var options = new PasskeyOptions { PublicUrl = "https://login.example.com", RelyingPartyId = "example.com" };
        options.Origins.Add("https://login.example.com");
        options.Origins.Add("https://app.example.com");

        Assert.Equal("example.com", options.EffectiveRelyingPartyId);
        Assert.Equal(["https://login.example.com", "https://app.example.com"], options.EffectiveOrigins);
    }

    [Theory]
    [InlineData("https://login.example.com/path")]
    [InlineData("login.example.com")]
    public void An_origin_with_anything_after_its_authority_is_refused(string origin)
    {
        var options = new PasskeyOptions { PublicUrl = "https://login.example.com" };
        options.Origins.Add(origin);

        Assert.NotNull(options.Problem());
    }
}
