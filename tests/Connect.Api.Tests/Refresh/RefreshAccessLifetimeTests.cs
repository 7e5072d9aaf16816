using Connect.Application.SessionTokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Connect.Api.Tests.Refresh;

/// <summary>A session made by <c>session issue</c> keeps no access lifetime of its own: every refresh uses the configured one.</summary>
public sealed class RefreshAccessLifetimeTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Fact]
    public async Task An_issued_sessions_refreshed_access_tokens_have_the_configured_lifetime()
    {
        var configured = target.Services.GetRequiredService<IOptions<SessionTokenOptions>>().Value.AccessTokenLifetimeSeconds;
        var session = await target.IssueAsync();

        var (refreshed, _) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        var (adopted, _) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));

        Assert.Equal(configured, Lifetime(refreshed));
        Assert.Equal(configured, Lifetime(adopted));
    }

    private static long Lifetime(string accessToken)
    {
        using var payload = Connect.Testing.SessionTokens.JwksCheck.Payload(accessToken);
        return payload.RootElement.GetProperty("exp").GetInt64() - payload.RootElement.GetProperty("iat").GetInt64();
    }
}
