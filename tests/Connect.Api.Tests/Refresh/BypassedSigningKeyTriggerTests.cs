using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// Someone who changes signing_keys in a way that skips ordinary triggers (as a replica, or with TRUNCATE) still
/// moves the application's revision, so a warm instance stops trusting the removed key on its very next request.
/// </summary>
public sealed class BypassedSigningKeyTriggerTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Fact]
    public async Task Key_deleted_as_a_replica_stops_verifying_on_the_next_request()
    {
        var (app, access, refresh) = await WarmTokensAsync();

        await ExecuteAsync($"SET session_replication_role = replica; DELETE FROM signing_keys WHERE application_id = '{app.Id.Value}'; RESET session_replication_role");

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(refresh), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserinfoAsync(access)).StatusCode);
    }

    [Fact]
    public async Task Keys_truncated_stop_verifying_on_the_next_request()
    {
        var (_, access, refresh) = await WarmTokensAsync();

        await ExecuteAsync("TRUNCATE signing_keys");

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(refresh), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserinfoAsync(access)).StatusCode);
    }

    /// <summary>A new application, and an access and refresh token that the instance's warm copy verifies.</summary>
    private async Task<(TestApplication App, string Access, string Refresh)> WarmTokensAsync()
    {
        var app = await target.Db.RegisterApplicationAsync();
        var issued = await target.IssueAsync(app: app);
        var (_, warm) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(issued.RefreshToken));
        var (access, refresh) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(warm));
        Assert.Equal(HttpStatusCode.OK, (await UserinfoAsync(access)).StatusCode);
        return (app, access, refresh);
    }

    private Task<HttpResponseMessage> UserinfoAsync(string access)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return target.Client.SendAsync(request);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await target.Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }
}
