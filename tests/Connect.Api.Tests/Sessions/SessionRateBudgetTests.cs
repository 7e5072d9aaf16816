using System.Net;

namespace Connect.Api.Tests.Sessions;

/// <summary>
/// The application's rate budget on the session-token endpoints: spent only once a token's signature proved its
/// application, answered <c>429 RateLimited</c> with <c>Retry-After</c>. The budget refills in real time (one
/// token a second), so the tests send until refused rather than count on timing.
/// </summary>
public sealed class SessionRateBudgetTests : IAsyncLifetime
{
    private const int Attempts = 30;

    private readonly SessionEndpoints _api = new(new Dictionary<string, string?>
    {
        ["Connect:RateLimit:BurstLimit"] = "2",
        ["Connect:RateLimit:TokensPerSecond"] = "1",
    });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Logout_over_the_budget_is_429_and_ends_nothing()
    {
        var app = await _api.RegisterAsync();
        IssuedTestSession? last = null;

        var limited = await FirstLimitedAsync(async () =>
        {
            last = await _api.IssueAsync(app);
            return await _api.LogoutAsync(last.RefreshToken);
        });

        await AssertRateLimitedAsync(limited);
        Assert.False((await _api.RowAsync(last!.Sid)).Revoked);
        Assert.Empty(await _api.AuditKindsAsync(last.Sid));
    }

    [Fact]
    public async Task Introspect_over_the_budget_is_429()
    {
        var session = await _api.IssueAsync(await _api.RegisterAsync());

        var limited = await FirstLimitedAsync(() => _api.IntrospectAsync(session.AccessToken));

        await AssertRateLimitedAsync(limited);
    }

    [Theory]
    [InlineData("/userinfo")]
    [InlineData("/claim-state")]
    public async Task Bearer_reads_over_the_budget_are_429_with_their_answer_headers(string route)
    {
        var session = await _api.IssueAsync(await _api.RegisterAsync());

        var limited = await FirstLimitedAsync(() => _api.GetAsync(route, $"Bearer {session.AccessToken}"));

        await AssertRateLimitedAsync(limited);
        SessionAssert.AssertBearerHeaders(limited);
        Assert.Empty(limited.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Tokens_that_do_not_verify_spend_no_budget_and_other_applications_are_unaffected()
    {
        var app = await _api.RegisterAsync();
        var session = await _api.IssueAsync(app);
        var neighbour = await _api.IssueAsync(await _api.RegisterAsync());
        var forged = SessionEndpoints.ForgeSignature(session.AccessToken);
        for (var i = 0; i < 10; i++)
        {
            await SessionAssert.ReasonAsync(await _api.IntrospectAsync(forged), HttpStatusCode.Unauthorized, "AccessTokenInvalidSignature");
            await SessionAssert.LogoutAsync(await _api.LogoutAsync(SessionEndpoints.ForgeSignature(session.RefreshToken)), revoked: false);
            await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/userinfo", $"Bearer {forged}"));
        }

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "active");
        await FirstLimitedAsync(() => _api.IntrospectAsync(session.AccessToken));

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(neighbour.AccessToken), "active");
    }

    private static async Task<HttpResponseMessage> FirstLimitedAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < Attempts; i++)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Fail($"No 429 in {Attempts} requests against a budget of 2.");
        return null!;
    }

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        Assert.Equal((HttpStatusCode.TooManyRequests, """{"reason":"RateLimited"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }
}
