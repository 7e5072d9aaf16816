using Connect.Application.SessionTokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>The issuer and the access lifetime: where the defaults come from, and what stops the start.</summary>
public sealed class SessionTokenOptionsTests
{
    [Fact]
    public void Configured_issuer_and_lifetime_are_used()
    {
        var codec = Resolve(new() { ["Connect:SessionTokens:Issuer"] = "https://id.example/connect", ["Connect:SessionTokens:AccessTokenLifetimeSeconds"] = "120", ["Urls"] = "http://127.0.0.1:9999" });

        var claims = codec.NewAccessClaims(SessionTokenHarness.Anchor, SessionTokenHarness.Subject, "sid", DateTimeOffset.MaxValue);

        Assert.Equal("https://id.example/connect", claims.Issuer);
        Assert.Equal(SessionTokenHarness.Now + 120, claims.ExpiresAt);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [InlineData("https://connect.example/;http://127.0.0.1:5080", "https://connect.example")]
    [InlineData(" http://localhost:8080 ; http://[::1]:8080", "http://localhost:8080")]
    public void Unset_issuer_is_the_services_own_base_url_the_first_of_Urls(string urls, string expected)
    {
        var codec = Resolve(new() { ["Urls"] = urls });

        Assert.Equal(expected, codec.Issuer);
    }

    [Fact]
    public void Without_Urls_the_issuer_is_where_connect_up_serves()
    {
        var codec = Resolve([]);

        Assert.Equal("http://127.0.0.1:5080", codec.Issuer);
        Assert.Equal(SessionTokenHarness.Now + 900, codec.NewAccessClaims(SessionTokenHarness.Anchor, SessionTokenHarness.Subject, "sid", DateTimeOffset.MaxValue).ExpiresAt);
    }

    [Theory]
    [InlineData("Connect:SessionTokens:Issuer", "connect.example")]
    [InlineData("Connect:SessionTokens:Issuer", "/relative")]
    [InlineData("Connect:SessionTokens:Issuer", "ftp://connect.example")]
    [InlineData("Connect:SessionTokens:Issuer", "https://user:secret@connect.example")]
    [InlineData("Connect:SessionTokens:Issuer", "https://connect.example/?a=b")]
    [InlineData("Connect:SessionTokens:Issuer", "https://connect.example/#f")]
    [InlineData("Urls", "http://*:5080")]
    [InlineData("Urls", "http://+:80")]
    [InlineData("Urls", "http://0.0.0.0:8080")]
    [InlineData("Urls", "http://[::]:8080")]
    [InlineData("Connect:SessionTokens:AccessTokenLifetimeSeconds", "0")]
    [InlineData("Connect:SessionTokens:AccessTokenLifetimeSeconds", "3601")]
    public void Unusable_settings_stop_the_start_with_one_line_naming_the_setting(string key, string value)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));

        Assert.Single(exception.Failures);
        Assert.StartsWith("Connect:SessionTokens:", exception.Failures.Single(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', exception.Failures.Single());
    }

    [Fact]
    public void An_issuer_longer_than_255_characters_is_refused()
    {
        var issuer = "https://connect.example/" + new string('a', 255 - 24 + 1);

        Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Connect:SessionTokens:Issuer"] = issuer }));
        Assert.Equal(issuer[..^1], Resolve(new() { ["Connect:SessionTokens:Issuer"] = issuer[..^1] }).Issuer);
    }

    [Fact]
    public void Codec_built_by_hand_refuses_unusable_settings_too()
    {
        Assert.Throws<ArgumentException>(() => new SessionTokenCodec(
            TimeProvider.System, Options.Create(new SessionTokenOptions { AccessTokenLifetimeSeconds = -1 })));
    }

    private static SessionTokenCodec Resolve(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddConnectApplication();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SessionTokenHarness.Now)));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<SessionTokenCodec>();
    }
}
