using System.Net;
using Connect.Application.SessionTokens;
using Connect.Domain.Sessions;
using Connect.Testing.SessionTokens;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Sessions;

/// <summary><c>POST /introspect</c> as docs/contract/sessions.md writes it, through the HTTP pipeline over the real database.</summary>
public sealed class IntrospectTests : IClassFixture<SessionEndpoints>
{
    private readonly SessionEndpoints _api;

    public IntrospectTests(SessionEndpoints api) => _api = api;

    [Fact]
    public async Task Access_token_of_an_active_session_is_active()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.IntrospectAsync(session.AccessToken);

        await SessionAssert.StatusAsync(response, "active");
        Assert.Empty(response.Headers.Pragma);
    }

    [Fact]
    public async Task Expired_access_token_of_an_active_session_is_active_because_its_exp_is_not_enforced()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First, expiresInSeconds: 7200);
        _api.Clock.Advance(TimeSpan.FromSeconds(SessionTokenOptions.DefaultAccessTokenLifetimeSeconds + 1));

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "active");
    }

    [Fact]
    public async Task Revoked_session_is_revoked()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await _api.Services.GetRequiredService<ISessionStore>()
            .EndAsync(new SessionId(session.Sid), SessionEndReason.ReuseDetected, _api.Clock.GetUtcNow(), CancellationToken.None);

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "revoked");
    }

    [Fact]
    public async Task Session_past_its_expiry_is_expired()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First, expiresInSeconds: 60);
        _api.Clock.Advance(TimeSpan.FromSeconds(59));
        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "active");

        _api.Clock.Advance(TimeSpan.FromSeconds(1));

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "expired");
    }

    [Fact]
    public async Task Session_of_a_disabled_application_is_revoked_until_it_is_enabled_again()
    {
        var app = await _api.RegisterAsync();
        var session = await _api.IssueAsync(app);

        await _api.SetEnabledAsync(app, enabled: false);
        var disabled = await _api.IntrospectAsync(session.AccessToken);
        await _api.SetEnabledAsync(app, enabled: true);
        var enabled = await _api.IntrospectAsync(session.AccessToken);

        await SessionAssert.StatusAsync(disabled, "revoked");
        await SessionAssert.StatusAsync(enabled, "active");
    }

    public static TheoryData<string> NotFound => new() { "unknown session", "other subject", "other application's session" };

    [Theory]
    [MemberData(nameof(NotFound))]
    public async Task Token_whose_session_is_unknown_or_not_of_its_aud_and_sub_is_not_found(string kind)
    {
        var (app, second) = await _api.SharedApplicationsAsync();
        var session = await _api.IssueAsync(app);
        var sameApp = await _api.IssueAsync(app);
        var otherApp = await _api.IssueAsync(second);
        var token = kind switch
        {
            "unknown session" => await _api.MintAccessAsync(session, claims => claims with { SessionId = SessionTokenCodec.NewOpaqueId() }),
            "other subject" => await _api.MintAccessAsync(session, claims => claims with { Subject = sameApp.Subject }),
            // aud is this application (its key signs), the sid another application's session.
            "other application's session" => await _api.MintAccessAsync(session, claims => claims with { SessionId = otherApp.Sid }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(token), "not_found");
    }

    public static TheoryData<string> Invalid => new() { "malformed", "refresh token", "unknown application", "empty segments" };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Token_that_is_no_access_token_of_a_registered_application_is_401_AccessTokenInvalid(string kind)
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        var token = kind switch
        {
            "malformed" => "not-a-jwt",
            "refresh token" => session.RefreshToken,
            "unknown application" => await _api.MintAccessAsync(session, claims => claims with { Audience = "no-such-application" }),
            "empty segments" => "..",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var before = await _api.SnapshotAsync();

        var response = await _api.IntrospectAsync(token);

        await SessionAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "AccessTokenInvalid");
        Assert.Equal(before, await _api.SnapshotAsync());
    }

    [Fact]
    public async Task Token_signed_by_another_key_is_401_AccessTokenInvalidSignature()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.IntrospectAsync(SessionEndpoints.ForgeSignature(session.AccessToken));

        await SessionAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "AccessTokenInvalidSignature");
    }

    public static TheoryData<string> InvalidBodies => new()
    {
        "{}", """{"accessToken":""}""", """{"accessToken":null}""", """{"accessToken":1}""", "[]", "null", "{",
        """{"accessToken":"a","accessToken":"b"}""", """{"refreshToken":"a"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Body_that_is_not_one_object_with_an_access_token_string_is_400_InvalidBody(string body)
    {
        await SessionAssert.ReasonAsync(await _api.PostAsync("/introspect", body), HttpStatusCode.BadRequest, "InvalidBody");
    }

    [Fact]
    public async Task Token_over_4_KiB_in_a_body_within_the_limit_is_InvalidBody()
    {
        var answer = await _api.PostAsync("/introspect", $$"""{"accessToken":"{{new string('A', 4097)}}"}""");

        await SessionAssert.ReasonAsync(answer, HttpStatusCode.BadRequest, "InvalidBody");
    }

    [Fact]
    public async Task Token_is_measured_in_UTF8_bytes_as_on_every_session_token_endpoint()
    {
        // Within 4096 bytes the token is read (and is no access token); over them it is InvalidBody, even when it has
        // fewer than 4096 characters.
        Assert.Equal(
            TokenLengths.Alike(
                atTheBound: """401 {"reason":"AccessTokenInvalid"}""", overTheBound: """400 {"reason":"InvalidBody"}"""),
            await TokenLengths.AnswersAsync(_api.IntrospectAsync));
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_and_another_media_type_415()
    {
        // The token-body limit is 8 KiB (a 4 KiB token must reach the 400 check).
        var tooLarge = await _api.PostAsync("/introspect", new byte[8 * 1024 + 1]);
        var text = await _api.PostAsync("/introspect", """{"accessToken":"a"}""", "text/plain");

        await SessionAssert.ReasonAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge");
        await SessionAssert.ReasonAsync(text, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }
}

/// <summary><c>recommendedRecheckSeconds</c> follows <c>Connect:Sessions:IntrospectRecheckSeconds</c>.</summary>
public sealed class IntrospectRecheckTests : IAsyncLifetime
{
    private readonly SessionEndpoints _api = new(new Dictionary<string, string?> { ["Connect:Sessions:IntrospectRecheckSeconds"] = "7" });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Recheck_seconds_are_the_configured_ones()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "active", recheckSeconds: 7);
    }
}
