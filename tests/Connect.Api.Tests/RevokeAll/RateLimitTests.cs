using System.Net;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.RevokeAll;

public sealed class RateLimitTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;
    private ConnectApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _api = new ConnectApiFactory(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Connect:RateLimit:BurstLimit"] = "2",
            ["Connect:RateLimit:TokensPerSecond"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Application_over_its_budget_gets_429_RateLimited_with_Retry_After_and_others_are_unaffected()
    {
        var greedy = await _db.RegisterApplicationAsync();
        var modest = await _db.RegisterApplicationAsync();

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
        var app = await _db.RegisterApplicationAsync();
        var forger = System.Security.Cryptography.RSA.Create(2048);

        for (var i = 0; i < 5; i++)
        {
            await ApiAssert.ReasonAsync(
                await _api.RevokeAllAsync(app, "s", jwt => jwt.Key = forger), HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        }

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "s"), 0);
    }
}
