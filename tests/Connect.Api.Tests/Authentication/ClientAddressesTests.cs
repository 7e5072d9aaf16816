using System.Net;
using Connect.Api.Authentication;
using Connect.Api.SignIn;
using Connect.Application.Passkeys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Connect.Api.Tests.Authentication;

/// <summary>
/// Which client a request is from (<c>Connect:RateLimit:TrustedProxies</c>), and the figures of
/// <c>Connect:RateLimit</c> checked at start.
/// </summary>
public sealed class ClientAddressesTests
{
    private static readonly ClientAddresses BehindProxies = Addresses("10.0.0.1", "10.0.0.2");

    [Theory]
    [InlineData("192.0.2.1", null, "192.0.2.1")]
    [InlineData("192.0.2.1", "198.51.100.7", "192.0.2.1")]
    [InlineData("::ffff:192.0.2.1", null, "192.0.2.1")]
    [InlineData("10.0.0.1", null, "10.0.0.1")]
    [InlineData("10.0.0.1", "198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7")]
    [InlineData("10.0.0.1", "203.0.113.5, 198.51.100.7", "198.51.100.7")]
    [InlineData("10.0.0.1", "203.0.113.5,198.51.100.7", "198.51.100.7")]
    [InlineData("10.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5")]
    [InlineData("10.0.0.1", "10.0.0.2", "10.0.0.2")]
    [InlineData("10.0.0.1", "198.51.100.7:4711", "198.51.100.7")]
    [InlineData("10.0.0.1", "2001:db8::7", "2001:db8::7")]
    [InlineData("10.0.0.1", "[2001:db8::7]:443", "2001:db8::7")]
    [InlineData("10.0.0.1", "unknown", "10.0.0.1")]
    [InlineData("10.0.0.1", "198.51.100.7, unknown", "10.0.0.1")]
    [InlineData("10.0.0.1", "", "10.0.0.1")]
    public void The_client_is_the_peer_unless_a_trusted_proxy_names_it(string peer, string? forwardedFor, string expected)
    {
        var context = Request(peer, forwardedFor);

        Assert.Equal(IPAddress.Parse(expected), BehindProxies.Of(context));
    }

    [Fact]
    public void Each_proxy_line_is_read_right_to_left_the_last_line_first()
    {
        var context = Request("10.0.0.1", null);
        context.Request.Headers["X-Forwarded-For"] = new(["203.0.113.5", "198.51.100.7"]);

        Assert.Equal(IPAddress.Parse("198.51.100.7"), BehindProxies.Of(context));
    }

    [Fact]
    public void With_no_trusted_proxy_no_header_is_read()
    {
        var context = Request("127.0.0.1", "198.51.100.7");

        Assert.Equal(IPAddress.Loopback, Addresses().Of(context));
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void An_IPv6_client_spends_its_64_prefixs_budget(string peer, string key) =>
        Assert.Equal(key, Addresses().BudgetKey(Request(peer, null)));

    [Fact]
    public void A_request_with_no_peer_spends_one_shared_budget() =>
        Assert.Equal("unknown", Addresses().BudgetKey(new DefaultHttpContext()));

    [Fact]
    public void The_sign_in_page_counts_calls_by_the_same_client_address()
    {
        using var guard = new SignInPageGuard(
            Options.Create(new PasskeyOptions()),
            Options.Create(new SignInPageOptions { CallsPerMinutePerAddress = 1, CallsPerMinutePerInquiry = 100 }),
            BehindProxies);

        Assert.True(guard.TryAcquire(Request("10.0.0.1", "198.51.100.7"), "inquiry-1"));
        Assert.False(guard.TryAcquire(Request("10.0.0.1", "198.51.100.7"), "inquiry-2"));
        Assert.True(guard.TryAcquire(Request("10.0.0.1", "198.51.100.8"), "inquiry-3"));
        Assert.True(guard.TryAcquire(Request("192.0.2.1", "198.51.100.9"), "inquiry-4"));
        Assert.False(guard.TryAcquire(Request("192.0.2.1", "198.51.100.10"), "inquiry-5"));
    }

    [Fact]
    public void The_defaults_let_one_back_end_poll_many_sign_ins_and_trust_no_proxy()
    {
        var options = Resolve([]);

        Assert.Equal((600, 300, 0), (options.AddressBurstLimit, options.AddressTokensPerSecond, options.TrustedProxies.Count));
    }

    [Fact]
    public void Trusted_proxies_are_read_as_a_list()
    {
        var options = Resolve(new() { ["Connect:RateLimit:TrustedProxies:0"] = "127.0.0.1", ["Connect:RateLimit:TrustedProxies:1"] = "::1" });

        Assert.Equal(["127.0.0.1", "::1"], options.TrustedProxies);
    }

    [Theory]
    [InlineData("AddressBurstLimit", "0", "Connect:RateLimit:AddressBurstLimit must be at least 1.")]
    [InlineData("AddressTokensPerSecond", "0", "Connect:RateLimit:AddressTokensPerSecond must be at least 1.")]
    [InlineData("AddressTokensPerSecond", "-5", "Connect:RateLimit:AddressTokensPerSecond must be at least 1.")]
    [InlineData("SessionBurstLimit", "0", "Connect:RateLimit:SessionBurstLimit must be at least 1.")]
    [InlineData("TokensPerSecond", "0", "Connect:RateLimit:TokensPerSecond must be at least 1.")]
    [InlineData("TrustedProxies:0", "proxy.example", "Connect:RateLimit:TrustedProxies: 'proxy.example' is not an IP address.")]
    [InlineData("TrustedProxies:0", "10.0.0.0/8", "Connect:RateLimit:TrustedProxies: '10.0.0.0/8' is not an IP address.")]
    public void Unusable_figures_are_refused_at_start(string key, string value, string problem)
    {
        using var provider = Provider(new() { [$"Connect:RateLimit:{key}"] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([problem], refused.Failures);
    }

    private static RateLimitOptions Resolve(Dictionary<string, string?> settings)
    {
        using var provider = Provider(settings);
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider.GetRequiredService<IOptions<RateLimitOptions>>().Value;
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddRateBudgets();
        return services.BuildServiceProvider();
    }

    private static ClientAddresses Addresses(params string[] proxies)
    {
        var options = new RateLimitOptions();
        foreach (var proxy in proxies)
        {
            options.TrustedProxies.Add(proxy);
        }

        return new ClientAddresses(Options.Create(options));
    }

    private static DefaultHttpContext Request(string peer, string? forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }
}
