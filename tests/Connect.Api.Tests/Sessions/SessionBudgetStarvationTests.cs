using System.Net;
using System.Text;
using Connect.Api.Tests.Refresh;

namespace Connect.Api.Tests.Sessions;

/// <summary>
/// One token must not starve its application: a session spends its own budget under the application's ceiling,
/// a session already ended spends nothing of the ceiling, and <c>/revoke-all</c> has a bucket of its own. The
/// instance under test has a small ceiling that refills one token a second, so a flood that spent it would leave
/// the next request refused.
/// </summary>
public sealed class SessionBudgetStarvationTests : IAsyncLifetime
{
    private const int Flood = 60;

    private readonly RefreshTarget _target = new();

    public Task InitializeAsync() => _target.InitializeAsync();

    public Task DisposeAsync() => _target.DisposeAsync();

    [Fact]
    public async Task Flooding_with_an_ended_and_a_live_session_leaves_other_sessions_and_revoke_all_served()
    {
        var limited = _target.StartInstance(Limits(ceiling: 30, perSession: 5));
        var (endedAccess, endedRefresh) = await EndedSessionAsync();
        var live = await _target.IssueAsync();
        var (liveAccess, liveRefresh) = await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(live.RefreshToken));
        var other = await _target.IssueAsync();

        var endedIntrospections = await FloodAsync(() => IntrospectAsync(limited.Client, endedAccess));
        var endedRefreshes = await FloodAsync(() => _target.RefreshAsync(endedRefresh, limited.Client));
        var liveIntrospections = await FloodAsync(() => IntrospectAsync(limited.Client, liveAccess));
        var liveRefreshes = await FloodAsync(() => _target.RefreshAsync(liveRefresh, limited.Client));

        Assert.Contains(HttpStatusCode.TooManyRequests, endedIntrospections);
        Assert.Contains(HttpStatusCode.TooManyRequests, endedRefreshes);
        Assert.Contains(HttpStatusCode.TooManyRequests, liveIntrospections);
        Assert.Contains(HttpStatusCode.TooManyRequests, liveRefreshes);
        await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(other.RefreshToken, limited.Client));
        Assert.Equal(HttpStatusCode.OK, (await _target.RevokeAllAsync(other, limited.Client)).StatusCode);
    }

    [Fact]
    public async Task An_ended_sessions_requests_spend_nothing_of_the_application_ceiling()
    {
        var limited = _target.StartInstance(Limits(ceiling: 5, perSession: 100_000));
        var (endedAccess, endedRefresh) = await EndedSessionAsync();
        var other = await _target.IssueAsync();

        for (var i = 0; i < Flood; i++)
        {
            await SessionAssert.StatusAsync(await IntrospectAsync(limited.Client, endedAccess), "revoked");
            await RefreshAssert.ReasonAsync(await _target.RefreshAsync(endedRefresh, limited.Client), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
        }

        await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(other.RefreshToken, limited.Client));
    }

    private static Dictionary<string, string?> Limits(int ceiling, int perSession) => new()
    {
        ["Connect:RateLimit:BurstLimit"] = ceiling.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Connect:RateLimit:TokensPerSecond"] = "1",
        ["Connect:RateLimit:SessionBurstLimit"] = perSession.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Connect:RateLimit:SessionTokensPerSecond"] = "1",
    };

    /// <summary>A session refreshed once and then logged out, through the unlimited first instance: its last tokens.</summary>
    private async Task<(string Access, string Refresh)> EndedSessionAsync()
    {
        var session = await _target.IssueAsync();
        var tokens = await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(session.RefreshToken));
        var logout = await PostAsync(_target.Client, "/logout", $$"""{"refreshToken":"{{tokens.Refresh}}"}""");
        Assert.Equal("""{"revoked":true}""", await logout.Content.ReadAsStringAsync());
        return tokens;
    }

    private static async Task<List<HttpStatusCode>> FloodAsync(Func<Task<HttpResponseMessage>> send)
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < Flood; i++)
        {
            using var response = await send();
            answers.Add(response.StatusCode);
        }

        return answers;
    }

    private static Task<HttpResponseMessage> IntrospectAsync(HttpClient client, string accessToken) =>
        PostAsync(client, "/introspect", $$"""{"accessToken":"{{accessToken}}"}""");

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string route, string body) =>
        client.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));
}
