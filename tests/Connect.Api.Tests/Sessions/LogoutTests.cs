using System.Net;
using Connect.Application.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Sessions;
using Connect.Testing.SessionTokens;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Sessions;

/// <summary><c>POST /logout</c> as docs/contract/sessions.md writes it, through the HTTP pipeline over the real database.</summary>
public sealed class LogoutTests : IClassFixture<SessionEndpoints>
{
    private readonly SessionEndpoints _api;

    public LogoutTests(SessionEndpoints api) => _api = api;

    [Fact]
    public async Task Current_version_ends_the_session_with_one_logout_audit_row()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.LogoutAsync(session.RefreshToken);

        await SessionAssert.LogoutAsync(response, revoked: true);
        Assert.Equal(new SessionRow(1, true, "logout"), await _api.RowAsync(session.Sid));
        Assert.Equal(["logout"], await _api.AuditKindsAsync(session.Sid));
    }

    [Fact]
    public async Task Previous_version_ends_the_session()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await _api.RotateAsync(session);

        var response = await _api.LogoutAsync(session.RefreshToken);

        await SessionAssert.LogoutAsync(response, revoked: true);
        Assert.Equal(new SessionRow(2, true, "logout"), await _api.RowAsync(session.Sid));
    }

    [Fact]
    public async Task Older_version_bound_by_signature_sid_and_version_ends_the_session()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await _api.RotateAsync(session);
        await _api.RotateAsync(session);

        var response = await _api.LogoutAsync(session.RefreshToken);

        await SessionAssert.LogoutAsync(response, revoked: true);
        Assert.Equal(new SessionRow(3, true, "logout"), await _api.RowAsync(session.Sid));
    }

    [Fact]
    public async Task Rotated_current_version_minted_for_its_new_jti_ends_the_session()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        var jti = await _api.RotateAsync(session);
        var current = await _api.MintRefreshAsync(session, claims => claims with { TokenId = jti, RotationVersion = 2 });

        await SessionAssert.LogoutAsync(await _api.LogoutAsync(current), revoked: true);
        Assert.True((await _api.RowAsync(session.Sid)).Revoked);
    }

    [Fact]
    public async Task Already_revoked_session_answers_true_again_and_writes_nothing()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await SessionAssert.LogoutAsync(await _api.LogoutAsync(session.RefreshToken), revoked: true);
        var before = await _api.SnapshotAsync();

        var again = await _api.LogoutAsync(session.RefreshToken);

        await SessionAssert.LogoutAsync(again, revoked: true);
        Assert.Equal(before, await _api.SnapshotAsync());
        Assert.Equal(["logout"], await _api.AuditKindsAsync(session.Sid));
    }

    [Fact]
    public async Task Session_revoked_by_revoke_all_answers_true_and_keeps_its_reason()
    {
        // Revoke-all stamps the database's clock, so this test needs a service whose clock has not been moved on.
        var api = new SessionEndpoints();
        await api.InitializeAsync();
        try
        {
            var app = await api.RegisterAsync();
            var session = await api.IssueAsync(app);
            await api.Services.GetRequiredService<IRefreshTokenRevoker>().RevokeAllActiveAsync(
                app.Sector, new SectorSubject(session.Subject), app.Id, CancellationToken.None);

            await SessionAssert.LogoutAsync(await api.LogoutAsync(session.RefreshToken), revoked: true);

            Assert.Equal("revoke_all", (await api.RowAsync(session.Sid)).RevokedReason);
            Assert.Empty(await api.AuditKindsAsync(session.Sid));
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Fact]
    public async Task Session_of_a_disabled_application_can_still_be_ended()
    {
        var app = await _api.RegisterAsync();
        var session = await _api.IssueAsync(app);
        await _api.SetEnabledAsync(app, enabled: false);

        await SessionAssert.LogoutAsync(await _api.LogoutAsync(session.RefreshToken), revoked: true);

        Assert.Equal(new SessionRow(1, true, "logout"), await _api.RowAsync(session.Sid));
    }

    [Fact]
    public async Task Expired_session_answers_true_and_writes_nothing()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First, expiresInSeconds: 60);
        _api.Clock.Advance(TimeSpan.FromSeconds(60));
        var before = await _api.SnapshotAsync();

        var response = await _api.LogoutAsync(session.RefreshToken);

        await SessionAssert.LogoutAsync(response, revoked: true);
        Assert.Equal(before, await _api.SnapshotAsync());
    }

    public static TheoryData<string> Unresolvable => new()
    {
        "malformed", "access token", "bad signature", "unknown application", "unknown session", "version ahead",
        "wrong jti for the current version", "another application's session",
    };

    [Theory]
    [MemberData(nameof(Unresolvable))]
    public async Task Token_that_does_not_resolve_to_a_session_answers_false_and_changes_nothing(string kind)
    {
        var (app, otherApp) = await _api.SharedApplicationsAsync();
        var session = await _api.IssueAsync(app);
        var other = await _api.IssueAsync(otherApp);
        var token = kind switch
        {
            "malformed" => "not.a-token.at-all",
            "access token" => session.AccessToken,
            "bad signature" => SessionEndpoints.ForgeSignature(session.RefreshToken),
            "unknown application" => await _api.MintRefreshAsync(session, claims => claims with { Audience = "no-such-application" }),
            "unknown session" => await _api.MintRefreshAsync(session, claims => claims with { SessionId = SessionTokenCodec.NewOpaqueId() }),
            "version ahead" => await _api.MintRefreshAsync(session, claims => claims with { RotationVersion = 2 }),
            "wrong jti for the current version" => await _api.MintRefreshAsync(session, claims => claims with { TokenId = SessionTokenCodec.NewOpaqueId() }),
            // Signed by this application's key but naming another application's session.
            "another application's session" => await _api.MintRefreshAsync(session, claims => claims with { SessionId = other.Sid }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var before = await _api.SnapshotAsync();

        var response = await _api.LogoutAsync(token);

        await SessionAssert.LogoutAsync(response, revoked: false);
        Assert.Equal(before, await _api.SnapshotAsync());
        Assert.Equal(
            response.Headers.Select(header => header.Key).Order(),
            (await _api.LogoutAsync("x.y.z")).Headers.Select(header => header.Key).Order());
    }

    [Fact]
    public async Task Previous_version_with_a_wrong_jti_answers_false()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await _api.RotateAsync(session);
        var forgedPrevious = await _api.MintRefreshAsync(session, claims => claims with { TokenId = SessionTokenCodec.NewOpaqueId() });

        await SessionAssert.LogoutAsync(await _api.LogoutAsync(forgedPrevious), revoked: false);

        Assert.False((await _api.RowAsync(session.Sid)).Revoked);
    }

    public static TheoryData<string> InvalidBodies => new()
    {
        "{}", """{"refreshToken":""}""", """{"refreshToken":null}""", """{"refreshToken":42}""", """{"refreshToken":["a"]}""",
        "[]", "null", "\"token\"", "{", "", """{"refreshToken":"a","refreshToken":"b"}""", """{"RefreshToken":"a"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Body_that_is_not_one_object_with_a_refresh_token_string_is_400_InvalidBody(string body)
    {
        var before = await _api.SnapshotAsync();

        var response = await _api.PostAsync("/logout", body);

        await SessionAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
        Assert.Equal(before, await _api.SnapshotAsync());
    }

    [Fact]
    public async Task Unknown_members_are_ignored()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        var response = await _api.PostAsync("/logout", $$"""{"extra":{"a":[1]},"refreshToken":"{{session.RefreshToken}}"}""");

        await SessionAssert.LogoutAsync(response, revoked: true);
    }

    [Fact]
    public async Task Token_over_4_KiB_in_a_body_within_the_limit_is_InvalidBody()
    {
        var answer = await _api.PostAsync("/logout", $$"""{"refreshToken":"{{new string('A', 4097)}}"}""");

        await SessionAssert.ReasonAsync(answer, HttpStatusCode.BadRequest, "InvalidBody");
    }

    [Fact]
    public async Task Token_is_measured_in_UTF8_bytes_as_on_every_session_token_endpoint()
    {
        // Within 4096 bytes the token is read (and resolves to no session); over them it is InvalidBody, even when
        // it has fewer than 4096 characters.
        Assert.Equal(
            TokenLengths.Alike(atTheBound: """200 {"revoked":false}""", overTheBound: """400 {"reason":"InvalidBody"}"""),
            await TokenLengths.AnswersAsync(_api.LogoutAsync));
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_and_another_media_type_415()
    {
        // The token-body limit is 8 KiB (a 4 KiB token must reach the 400 check).
        var tooLarge = await _api.PostAsync("/logout", new byte[8 * 1024 + 1]);
        var text = await _api.PostAsync("/logout", """{"refreshToken":"a"}""", "text/plain");

        await SessionAssert.ReasonAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge");
        await SessionAssert.ReasonAsync(text, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }

    [Fact]
    public async Task After_logout_the_current_version_cannot_rotate_and_its_access_token_is_refused()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        await SessionAssert.LogoutAsync(await _api.LogoutAsync(session.RefreshToken), revoked: true);

        var store = _api.Services.GetRequiredService<ISessionStore>();
        var state = await store.FindAsync(new SessionId(session.Sid), CancellationToken.None);
        var attempt = await store.TryRotateAsync(
            new SessionRotation(
                state!.Id, session.App.Id, 1, state.CurrentJti, SessionTokenCodec.NewOpaqueId(),
                _api.Clock.GetUtcNow(), state.CurrentKeyId!, _api.Clock.GetUtcNow()),
            CancellationToken.None);
        Assert.False(attempt.Rotated);
        Assert.Equal(1, (await _api.RowAsync(session.Sid)).RotationVersion);
        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "revoked");
        await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}"));
        Assert.Equal(["logout"], await _api.AuditKindsAsync(session.Sid));
    }

    [Fact]
    public async Task Logout_racing_rotations_leaves_the_session_revoked()
    {
        var store = _api.Services.GetRequiredService<ISessionStore>();
        for (var round = 0; round < 10; round++)
        {
            var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
            var state = await store.FindAsync(new SessionId(session.Sid), CancellationToken.None);
            using var start = new ManualResetEventSlim();

            var rotations = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await store.TryRotateAsync(
                    new SessionRotation(
                        state!.Id, session.App.Id, 1, state.CurrentJti, SessionTokenCodec.NewOpaqueId(),
                        _api.Clock.GetUtcNow(), state.CurrentKeyId!, _api.Clock.GetUtcNow()),
                    CancellationToken.None);
            })).ToList();
            var logout = Task.Run(async () =>
            {
                start.Wait();
                return await _api.LogoutAsync(session.RefreshToken);
            });
            start.Set();
            await Task.WhenAll(rotations);

            await SessionAssert.LogoutAsync(await logout, revoked: true);
            var row = await _api.RowAsync(session.Sid);
            Assert.Equal((true, "logout"), (row.Revoked, row.RevokedReason));
            Assert.Equal(["logout"], await _api.AuditKindsAsync(session.Sid));
        }
    }

    [Fact]
    public async Task Logout_racing_refreshes_through_http_leaves_the_session_revoked_and_every_token_it_answered_dead()
    {
        for (var round = 0; round < 5; round++)
        {
            var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
            using var start = new ManualResetEventSlim();
            var body = $$"""{"refreshToken":"{{session.RefreshToken}}"}""";

            var refreshes = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await _api.PostAsync("/refresh", body);
            })).ToList();
            var logout = Task.Run(async () =>
            {
                start.Wait();
                return await _api.LogoutAsync(session.RefreshToken);
            });
            start.Set();
            await Task.WhenAll(refreshes);

            await SessionAssert.LogoutAsync(await logout, revoked: true);
            var row = await _api.RowAsync(session.Sid);
            Assert.Equal((true, "logout"), (row.Revoked, row.RevokedReason));
            Assert.Equal(["logout"], await _api.AuditKindsAsync(session.Sid));
            foreach (var refresh in refreshes.Select(r => r.Result).Where(r => r.StatusCode == HttpStatusCode.OK))
            {
                using var answer = System.Text.Json.JsonDocument.Parse(await refresh.Content.ReadAsStringAsync());
                var answered = answer.RootElement.GetProperty("refreshToken").GetString();
                await SessionAssert.ReasonAsync(
                    await _api.PostAsync("/refresh", $$"""{"refreshToken":"{{answered}}"}"""), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
            }
        }
    }
}
