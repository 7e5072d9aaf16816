using System.Net;
using Connect.Application.RateBudget;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Connect.Api.Tests.RevokeAll;

public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly ConnectApi _api = new(new ConnectApiOptions
    {
        SeedApplication = false,
        Settings = new Dictionary<string, string?>
        {
            ["Connect:RateLimit:BurstLimit"] = "2",
            ["Connect:RateLimit:TokensPerSecond"] = "1",
        },
    });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Application_over_its_budget_gets_429_RateLimited_with_Retry_After_and_others_are_unaffected()
    {
        var greedy = await _api.Db.RegisterApplicationAsync();
        var modest = await _api.Db.RegisterApplicationAsync();

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(greedy, "s"), 0);
        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(greedy, "s"), 0);
        var limited = await _api.RevokeAllAsync(greedy, "s");
        var other = await _api.RevokeAllAsync(modest, "s");

        await ApiAssert.ReasonAsync(limited, HttpStatusCode.TooManyRequests, "RateLimited");
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        await ApiAssert.RevokedAsync(other, 0);
    }

    [Fact]
    public async Task Unauthenticated_requests_do_not_spend_an_applications_budget()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var forger = System.Security.Cryptography.RSA.Create(2048);

        for (var i = 0; i < 5; i++)
        {
            await ApiAssert.ReasonAsync(
                await _api.RevokeAllAsync(app, "s", jwt => jwt.Key = forger), HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        }

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "s"), 0);
    }

    [Fact]
    public async Task Revoke_all_spends_its_own_budget_of_the_application_not_the_one_sessions_spend()
    {
        // Keyed by the verified application, and apart from the ceiling the session-token endpoints spend, so that
        // no flood of session traffic can keep the application from logging its users out.
        var app = await _api.Db.RegisterApplicationAsync();
        var budget = Substitute.For<IApplicationRateBudget>();
        budget.TrySpendRevokeAll(default).ReturnsForAnyArgs(true);
        await using var api = _api.With(services: services => services.AddSingleton(budget));

        await ApiAssert.RevokedAsync(await api.RevokeAllAsync(app, "s"), 0);

        budget.Received(1).TrySpendRevokeAll(app.Anchor);
        Assert.Single(budget.ReceivedCalls());
    }

    [Fact]
    public async Task Rate_limit_comes_after_authentication_and_the_application_status_and_before_the_body()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var off = await _api.Db.RegisterApplicationAsync();
        await _api.Db.Applications.SetEnabledAsync(off.Anchor, false, CancellationToken.None);
        var exhausted = Substitute.For<IApplicationRateBudget>();
        exhausted.TrySpendRevokeAll(default).ReturnsForAnyArgs(false);
        await using var api = _api.With(services: services => services.AddSingleton(exhausted));

        var forged = await api.RevokeAllAsync(app, "s", jwt => jwt.Key = System.Security.Cryptography.RSA.Create(2048));
        var disabled = await api.RevokeAllAsync(off, "s");
        var invalidBody = await api.RevokeAllAsync(app, "{}"u8.ToArray());

        await ApiAssert.ReasonAsync(forged, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        await ApiAssert.ReasonAsync(disabled, HttpStatusCode.Forbidden, "ApplicationDisabled");
        await ApiAssert.ReasonAsync(invalidBody, HttpStatusCode.TooManyRequests, "RateLimited");
        Assert.Equal("1", invalidBody.Headers.GetValues("Retry-After").Single());
        exhausted.ReceivedWithAnyArgs(1).TrySpendRevokeAll(default);
        exhausted.Received(1).TrySpendRevokeAll(app.Anchor);
    }
}
