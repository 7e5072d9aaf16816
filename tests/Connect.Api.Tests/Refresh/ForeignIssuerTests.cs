using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Connect.Application.Administration.IssueSessions;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// Every endpoint that reads a session token checks its <c>iss</c>: a token signed by the application's own key but
/// minted for another issuer (another deployment over the same database, an instance configured apart from the
/// rest) is no token of this service, answered as a malformed one and changing nothing.
/// </summary>
public sealed class ForeignIssuerTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    private const string OtherIssuer = "https://elsewhere.test";

    [Fact]
    public async Task Tokens_minted_with_another_issuer_are_refused_by_every_session_endpoint_and_change_nothing()
    {
        await using var elsewhere = target.StartInstance(new Dictionary<string, string?> { ["Connect:SessionTokens:Issuer"] = OtherIssuer });
        var account = await target.Db.Accounts.CreateAccountAsync(CancellationToken.None);
        var outcome = await elsewhere.Services.GetRequiredService<IMediator>().Send(
            new IssueSessionsCommand(account, target.App.Anchor.Value, 1, 600));
        var session = Assert.Single(outcome.Value!.Sessions);
        Assert.Equal(OtherIssuer, RefreshTarget.Claims(session.RefreshToken).GetProperty("iss").GetString());

        var refresh = await target.RefreshAsync(session.RefreshToken);
        var logout = await PostAsync("/logout", "refreshToken", session.RefreshToken);
        var introspect = await PostAsync("/introspect", "accessToken", session.AccessToken);
        var userinfo = await GetAsync("/userinfo", session.AccessToken);
        var claimState = await GetAsync("/claim-state", session.AccessToken);

        await RefreshAssert.ReasonAsync(refresh, HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
        Assert.Equal((HttpStatusCode.OK, """{"revoked":false}"""), (logout.StatusCode, await logout.Content.ReadAsStringAsync()));
        await RefreshAssert.ReasonAsync(introspect, HttpStatusCode.Unauthorized, "AccessTokenInvalid");
        foreach (var bearer in new[] { userinfo, claimState })
        {
            Assert.Equal((HttpStatusCode.Unauthorized, """{"error":"invalid_token"}"""), (bearer.StatusCode, await bearer.Content.ReadAsStringAsync()));
        }

        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((1, (DateTime?)null, 0L), (row.Version, row.RevokedAt, row.Audits));
    }

    [Fact]
    public async Task The_same_session_minted_with_this_services_issuer_is_accepted()
    {
        var account = await target.Db.Accounts.CreateAccountAsync(CancellationToken.None);
        var outcome = await target.Services.GetRequiredService<IMediator>().Send(
            new IssueSessionsCommand(account, target.App.Anchor.Value, 1, 600));
        var session = Assert.Single(outcome.Value!.Sessions);

        var introspect = await PostAsync("/introspect", "accessToken", session.AccessToken);
        var userinfo = await GetAsync("/userinfo", session.AccessToken);
        var refresh = await target.RefreshAsync(session.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, introspect.StatusCode);
        Assert.Contains("\"active\"", await introspect.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, userinfo.StatusCode);
        await RefreshAssert.RefreshedAsync(refresh);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string member, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($$"""{"{{member}}":"{{token}}"}""", Encoding.UTF8, "application/json"),
        };
        return target.Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> GetAsync(string path, string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return target.Client.SendAsync(request);
    }
}
