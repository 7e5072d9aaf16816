using System.Net;
using Connect.Application.SessionTokens;
using Connect.Domain.Sessions;
using Connect.Testing.SessionTokens;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Sessions;

/// <summary><c>GET /userinfo</c> and <c>GET /claim-state</c> as docs/contract/sessions.md writes them.</summary>
public sealed class SessionClaimsTests : IClassFixture<SessionEndpoints>
{
    private const string ClaimsOff =
        """{"email":{"requirement":"OFF","state":"UNKNOWN"},"given_name":{"requirement":"OFF","state":"UNKNOWN"},"family_name":{"requirement":"OFF","state":"UNKNOWN"},"picture":{"requirement":"OFF","state":"UNKNOWN"},"picture_animated":{"requirement":"OFF","state":"UNKNOWN"}}""";

    private readonly SessionEndpoints _api;

    public SessionClaimsTests(SessionEndpoints api) => _api = api;

    public static TheoryData<string> Routes => new() { "/userinfo", "/claim-state" };

    [Fact]
    public async Task Userinfo_answers_the_sessions_subject_with_its_three_headers()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}");

        await SessionAssert.JsonAsync(response, HttpStatusCode.OK, $$"""{"sub":"{{session.Subject}}"}""");
        SessionAssert.AssertBearerHeaders(response);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Spaces_between_scheme_and_token_are_allowed()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.GetAsync("/userinfo", $"Bearer   {session.AccessToken}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Claim_state_answers_the_subject_and_every_claim_off_and_unknown()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.GetAsync("/claim-state", $"bearer {session.AccessToken}");

        await SessionAssert.JsonAsync(response, HttpStatusCode.OK, $$"""{"sub":"{{session.Subject}}","claims":{{ClaimsOff}}}""");
        SessionAssert.AssertBearerHeaders(response);
    }

    public static TheoryData<string, string> Causes => new()
    {
        { "/userinfo", "no header" }, { "/userinfo", "wrong scheme" }, { "/userinfo", "empty token" },
        { "/userinfo", "junk after the token" }, { "/userinfo", "malformed" }, { "/userinfo", "expired token" },
        { "/userinfo", "revoked session" }, { "/userinfo", "expired session" }, { "/userinfo", "disabled application" },
        { "/userinfo", "bad signature" }, { "/userinfo", "refresh token" }, { "/userinfo", "unknown application" },
        { "/userinfo", "other subject" }, { "/userinfo", "unknown session" },
        { "/claim-state", "no header" }, { "/claim-state", "wrong scheme" }, { "/claim-state", "expired token" },
        { "/claim-state", "revoked session" }, { "/claim-state", "disabled application" }, { "/claim-state", "bad signature" },
        { "/claim-state", "refresh token" },
    };

    [Theory]
    [MemberData(nameof(Causes))]
    public async Task Every_failure_is_401_invalid_token_with_the_Bearer_challenge(string route, string cause)
    {
        // Only the case that disables its application needs one of its own.
        var app = cause == "disabled application" ? await _api.RegisterAsync() : (await _api.SharedApplicationsAsync()).First;
        var session = await _api.IssueAsync(app, expiresInSeconds: 7200);
        string? authorization = cause switch
        {
            "no header" => null,
            "wrong scheme" => $"Basic {session.AccessToken}",
            "empty token" => "Bearer ",
            "junk after the token" => $"Bearer {session.AccessToken} x",
            "malformed" => "Bearer abc.def.ghi",
            "bad signature" => $"Bearer {SessionEndpoints.ForgeSignature(session.AccessToken)}",
            "refresh token" => $"Bearer {session.RefreshToken}",
            "unknown application" => $"Bearer {await _api.MintAccessAsync(session, claims => claims with { Audience = "no-such-app" })}",
            "other subject" => $"Bearer {await _api.MintAccessAsync(session, claims => claims with { Subject = "someone-else" })}",
            "unknown session" => $"Bearer {await _api.MintAccessAsync(session, claims => claims with { SessionId = SessionTokenCodec.NewOpaqueId() })}",
            _ => $"Bearer {session.AccessToken}",
        };
        await ((Func<Task>)(cause switch
        {
            "expired token" => () =>
            {
                _api.Clock.Advance(TimeSpan.FromSeconds(SessionTokenOptions.DefaultAccessTokenLifetimeSeconds));
                return Task.CompletedTask;
            },
            "revoked session" => () => _api.Services.GetRequiredService<ISessionStore>()
                .EndAsync(new SessionId(session.Sid), SessionEndReason.Logout, _api.Clock.GetUtcNow(), CancellationToken.None),
            "expired session" => async () =>
            {
                // A token that outlives its session (none is issued so, but the session's expiry must be judged on
                // its own), then the clock passes the session's expiry only.
                var shortLived = await _api.IssueAsync(app, expiresInSeconds: 30);
                var outliving = await _api.MintAccessAsync(shortLived, claims => claims with { ExpiresAt = claims.ExpiresAt + 600 });
                authorization = $"Bearer {outliving}";
                _api.Clock.Advance(TimeSpan.FromSeconds(30));
            },
            "disabled application" => () => _api.SetEnabledAsync(app, enabled: false),
            _ => () => Task.CompletedTask,
        }))();

        var response = await _api.GetAsync(route, authorization);

        await SessionAssert.InvalidTokenAsync(response);
    }

    [Fact]
    public async Task Access_token_is_accepted_until_the_second_before_its_exp()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First, expiresInSeconds: 7200);
        _api.Clock.Advance(TimeSpan.FromSeconds(SessionTokenOptions.DefaultAccessTokenLifetimeSeconds - 1));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}")).StatusCode);

        _api.Clock.Advance(TimeSpan.FromSeconds(1));

        await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}"));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Token_longer_than_any_access_token_is_refused_unread(string route)
    {
        var response = await _api.GetAsync(route, $"Bearer {new string('a', SessionTokenLimits.MaxTokenBytes + 1)}");

        await SessionAssert.InvalidTokenAsync(response);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Token_is_measured_in_UTF8_bytes_as_on_every_session_token_endpoint(string route)
    {
        // The contract has one answer for every failure, so the bound itself shows only in BearerTokenTests; here
        // every string on either side of it gets that one answer.
        Assert.Equal(
            TokenLengths.Alike(atTheBound: """401 {"error":"invalid_token"}""", overTheBound: """401 {"error":"invalid_token"}"""),
            await TokenLengths.AnswersAsync(token => _api.GetAsync(route, $"Bearer {token}")));
    }

    [Fact]
    public async Task Two_Authorization_headers_are_refused()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.TryAddWithoutValidation("Authorization", [$"Bearer {session.AccessToken}", $"Bearer {session.AccessToken}"]);

        await SessionAssert.InvalidTokenAsync(await _api.Client.SendAsync(request));
    }
}
