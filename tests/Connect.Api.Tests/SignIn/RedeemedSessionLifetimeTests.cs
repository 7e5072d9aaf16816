using System.Text;
using Connect.Api.Tests.Refresh;
using Connect.Application.SessionTokens;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Connect.Api.Tests.SignIn;

/// <summary>
/// An <c>/establish</c> constraint's <c>accessTokenTtlSeconds</c> sets the lifetime of every access token of the session
/// redeemed (docs/contract/sign-in.md): the one <c>/redeem</c> answers and each one a later <c>/refresh</c> answers, on a
/// rotation and on an adoption alike; without it, the configured lifetime.
/// </summary>
public sealed class RedeemedSessionLifetimeTests(SignInEndpoints api) : IClassFixture<SignInEndpoints>
{
    [Fact]
    public async Task The_constraints_access_lifetime_holds_for_the_redeemed_token_and_every_refresh()
    {
        var app = await api.RegisterAsync();
        var body = new EstablishBody(app.Anchor.Value, [AuthenticationConstraint.Passkey with { AccessTokenTtlSeconds = 120 }]);

        var (redeemed, refreshed, adopted) = await RedeemAndRefreshAsync(app, body);

        Assert.Equal(120, Lifetime(redeemed));
        Assert.Equal(120, Lifetime(refreshed));
        Assert.Equal(120, Lifetime(adopted));
        Assert.Equal(120, await api.ScalarAsync<int>(
            "SELECT access_token_ttl_seconds FROM sessions WHERE application_id = @App", new { App = app.Id.Value }));
    }

    [Fact]
    public async Task Without_the_constraint_the_configured_access_lifetime_holds_and_the_session_keeps_none()
    {
        var app = await api.RegisterAsync();
        var configured = api.Services.GetRequiredService<IOptions<SessionTokenOptions>>().Value.AccessTokenLifetimeSeconds;

        var (redeemed, refreshed, adopted) = await RedeemAndRefreshAsync(app, body: null);

        Assert.Equal(configured, Lifetime(redeemed));
        Assert.Equal(configured, Lifetime(refreshed));
        Assert.Equal(configured, Lifetime(adopted));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions WHERE application_id = @App AND access_token_ttl_seconds IS NULL", new { App = app.Id.Value }));
    }

    /// <summary>Redeems, refreshes the redeemed refresh token, then presents it again inside the grace window (an adoption).</summary>
    private async Task<(string Redeemed, string Refreshed, string Adopted)> RedeemAndRefreshAsync(TestApplication app, EstablishBody? body)
    {
        var realized = await api.RealizedInquiryAsync(app, body);
        var tokens = await SignInClient.ReadAsync<RedeemAnswer>(await api.SignIn.RedeemAsync(
            realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey));
        var request = Encoding.UTF8.GetBytes($$"""{"refreshToken":"{{tokens.RefreshToken}}"}""");
        var (refreshed, current) = await RefreshAssert.RefreshedAsync(await api.SignIn.PostAsync("/refresh", request));
        var (adopted, again) = await RefreshAssert.RefreshedAsync(await api.SignIn.PostAsync("/refresh", request));
        Assert.Equal(current, again);
        return (tokens.AccessToken, refreshed, adopted);
    }

    private static long Lifetime(string accessToken)
    {
        using var payload = Connect.Testing.SessionTokens.JwksCheck.Payload(accessToken);
        return payload.RootElement.GetProperty("exp").GetInt64() - payload.RootElement.GetProperty("iat").GetInt64();
    }
}
