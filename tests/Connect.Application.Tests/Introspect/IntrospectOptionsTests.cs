using Connect.Application.Introspect;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Connect.Application.Tests.Introspect;

public sealed class IntrospectOptionsTests
{
    [Theory]
    [InlineData(null, 30)]
    [InlineData("0", 0)]
    [InlineData("900", 900)]
    public void Recheck_seconds_default_to_30_and_may_be_0_to_900(string? configured, int expected) =>
        Assert.Equal(expected, Options(configured).Value.IntrospectRecheckSeconds);

    [Theory]
    [InlineData("-1")]
    [InlineData("901")]
    public void Recheck_seconds_outside_0_to_900_are_refused(string configured)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Options(configured).Value);

        Assert.Contains("Connect:Sessions: IntrospectRecheckSeconds must be 0 to 900.", refused.Failures);
    }

    private static IOptions<IntrospectOptions> Options(string? recheckSeconds)
    {
        var settings = new Dictionary<string, string?>();
        if (recheckSeconds is not null)
        {
            settings["Connect:Sessions:IntrospectRecheckSeconds"] = recheckSeconds;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddConnectApplication();
        return services.BuildServiceProvider().GetRequiredService<IOptions<IntrospectOptions>>();
    }
}
