using System.Net;
using System.Text;
using System.Text.Json;
using Connect.Application.Administration.RemoveSigningKey;
using Connect.Application.Administration.RotateSigningKey;
using Connect.Application.Administration.SetApplicationEnabled;
using Connect.Application.SessionTokens;
using Connect.Testing.ClientJwts;
using Connect.Testing.SessionTokens;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Refresh;

/// <summary>Every answer of <c>POST /refresh</c> (docs/contract/sessions.md), produced through the real pipeline and database.</summary>
public sealed class RefreshReasonTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Fact]
    public async Task Rotation_answers_the_next_version_and_a_fresh_access_token_with_no_store_and_no_cache()
    {
        var session = await target.IssueAsync(expiresInSeconds: 600);
        var now = target.Clock.GetUtcNow().ToUnixTimeSeconds();

        var response = await target.RefreshAsync(session.RefreshToken);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
        Assert.Empty(response.Headers.WwwAuthenticate);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(["accessToken", "refreshToken", "claims"], json.RootElement.EnumerateObject().Select(m => m.Name));
        var claims = json.RootElement.GetProperty("claims");
        Assert.Equal(["email", "firstName", "lastName", "staticAvatar", "animatedAvatar"], claims.EnumerateObject().Select(m => m.Name));
        Assert.All(claims.EnumerateObject(), claim => Assert.Equal("""{"requirement":"OFF","state":"UNKNOWN"}""", claim.Value.GetRawText()));

        var refresh = json.RootElement.GetProperty("refreshToken").GetString()!;
        var access = json.RootElement.GetProperty("accessToken").GetString()!;
        var first = RefreshTarget.Claims(session.RefreshToken);
        var next = RefreshTarget.Claims(refresh);
        Assert.Equal(
            ("https://connect.test", session.App.Anchor.Value, session.SessionId, 2, now, first.GetProperty("exp").GetInt64()),
            (next.GetProperty("iss").GetString(), next.GetProperty("aud").GetString(), next.GetProperty("sid").GetString(),
             next.GetProperty("rotationVersion").GetInt32(), next.GetProperty("iat").GetInt64(), next.GetProperty("exp").GetInt64()));
        Assert.Equal(now + 600, next.GetProperty("exp").GetInt64());
        var accessClaims = RefreshTarget.Claims(access);
        Assert.Equal((session.SessionId, now, now + 600), (accessClaims.GetProperty("sid").GetString(), accessClaims.GetProperty("iat").GetInt64(), accessClaims.GetProperty("exp").GetInt64()));
        Assert.True(await JwksCheck.VerifiesAsync(target.Client, session.App.Anchor.Value, refresh));
        Assert.True(await JwksCheck.VerifiesAsync(target.Client, session.App.Anchor.Value, access));

        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((2, next.GetProperty("jti").GetString(), first.GetProperty("jti").GetString(), (DateTime?)null),
            (row.Version, row.CurrentJti, row.PreviousJti, row.RevokedAt));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime, DateTime.SpecifyKind(row.RotatedAt, DateTimeKind.Utc));
    }

    [Fact]
    public async Task Access_token_of_a_rotation_never_outlives_its_session()
    {
        var session = await target.IssueAsync(expiresInSeconds: 120);

        var (access, _) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));

        var claims = RefreshTarget.Claims(access);
        Assert.Equal(RefreshTarget.Claims(session.RefreshToken).GetProperty("exp").GetInt64(), claims.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Unknown_body_members_are_ignored()
    {
        var session = await target.IssueAsync();

        var response = await target.PostRefreshAsync($$$"""{"clientVersion":"4.2","refreshToken":"{{{session.RefreshToken}}}","x":{"y":[1,2]}}""");

        await RefreshAssert.RefreshedAsync(response);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"refreshToken":""}""")]
    [InlineData("""{"refreshToken":null}""")]
    [InlineData("""{"refreshToken":42}""")]
    [InlineData("""{"refreshToken":["a.b.c"]}""")]
    [InlineData("""{"refreshToken":{"token":"a.b.c"}}""")]
    [InlineData("""{"RefreshToken":"a.b.c"}""")]
    [InlineData("""{"refreshToken":"a.b.c","refreshToken":"d.e.f"}""")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"a.b.c\"")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("refreshToken=a.b.c")]
    public async Task Body_that_is_not_one_object_with_a_token_string_is_InvalidBody(string body)
    {
        var response = await target.PostRefreshAsync(body);

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
    }

    [Fact]
    public async Task Body_over_the_size_limit_is_413_and_a_wrong_media_type_is_415()
    {
        var session = await target.IssueAsync();
        var padded = $$"""{"refreshToken":"{{session.RefreshToken}}","pad":"{{new string('x', 8 * 1024)}}"}""";

        await RefreshAssert.ReasonAsync(await target.PostRefreshAsync(padded), HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge");
        await RefreshAssert.ReasonAsync(
            await target.PostRefreshAsync($$"""{"refreshToken":"{{session.RefreshToken}}"}""", contentType: "text/plain"),
            HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Token_over_4_KiB_in_a_body_within_the_limit_is_InvalidBody()
    {
        var session = await target.IssueAsync();

        var answer = await target.RefreshAsync(session.RefreshToken + new string('A', 4096));

        await RefreshAssert.ReasonAsync(answer, HttpStatusCode.BadRequest, "InvalidBody");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Token_is_measured_in_UTF8_bytes_as_on_every_session_token_endpoint()
    {
        // Within 4096 bytes the token is read (and is no refresh token); over them it is InvalidBody, even when it
        // has fewer than 4096 characters. The body is raw UTF-8: with each é escaped as \u00e9 it would pass 8 KiB (413).
        Assert.Equal(
            TokenLengths.Alike(
                atTheBound: """401 {"reason":"RefreshTokenInvalid"}""", overTheBound: """400 {"reason":"InvalidBody"}"""),
            await TokenLengths.AnswersAsync(token => target.PostRefreshAsync($$"""{"refreshToken":"{{token}}"}""")));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    [InlineData("..")]
    public async Task Malformed_token_is_RefreshTokenInvalid(string token)
    {
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(token), HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
    }

    [Fact]
    public async Task Token_of_an_unknown_application_is_RefreshTokenInvalid()
    {
        var session = await target.IssueAsync();
        var key = await target.CurrentSigningKeyAsync();
        var claims = target.Codec.NewRefreshClaims(new("no-such-application"), session.SessionId, 1, target.Clock.GetUtcNow().AddDays(1));

        var response = await target.RefreshAsync(target.Codec.Mint(claims, key));

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Genuinely_signed_token_of_an_unknown_session_is_RefreshTokenInvalid()
    {
        var key = await target.CurrentSigningKeyAsync();
        var claims = target.Codec.NewRefreshClaims(target.App.Anchor, SessionTokenCodec.NewOpaqueId(), 1, target.Clock.GetUtcNow().AddDays(1));

        var response = await target.RefreshAsync(target.Codec.Mint(claims, key));

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
    }

    [Fact]
    public async Task Version_ahead_of_the_session_is_RefreshTokenInvalid()
    {
        var session = await target.IssueAsync();
        var genuine = RefreshTarget.Claims(session.RefreshToken);

        var ahead = await MintLikeAsync(session, version: 2, jti: genuine.GetProperty("jti").GetString()!);

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(ahead), HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Wrong_jti_for_the_current_version_is_RefreshTokenInvalid()
    {
        var session = await target.IssueAsync();

        var forged = await MintLikeAsync(session, version: 1, jti: SessionTokenCodec.NewOpaqueId());

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(forged), HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Wrong_jti_for_the_previous_version_is_RefreshTokenInvalid_and_neither_adopts_nor_revokes()
    {
        var session = await target.IssueAsync();
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        var before = await target.RowAsync(session.SessionId);

        var forged = await MintLikeAsync(session, version: 1, jti: SessionTokenCodec.NewOpaqueId());

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(forged), HttpStatusCode.Unauthorized, "RefreshTokenInvalid");
        Assert.Equal(before, await target.RowAsync(session.SessionId));
    }

    [Fact]
    public async Task Access_token_is_RefreshTokenInvalidType()
    {
        var session = await target.IssueAsync();
        var (access, _) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        var before = await target.RowAsync(session.SessionId);

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(access), HttpStatusCode.Unauthorized, "RefreshTokenInvalidType");
        Assert.Equal(before, await target.RowAsync(session.SessionId));
    }

    [Fact]
    public async Task Forged_signature_over_an_existing_session_is_RefreshTokenInvalidSignature_and_leaves_the_row_unchanged()
    {
        var session = await target.IssueAsync();
        using var stranger = System.Security.Cryptography.RSA.Create(2048);
        var parts = session.RefreshToken.Split('.');
        var flipped = ClientJwtTampering.WithSegment(session.RefreshToken, 2, Flip(parts[2]));
        var resigned = RefreshTarget.SignRaw(
            Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])),
            Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])),
            stranger);

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(flipped), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(resigned), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        await AssertUnchangedAsync(session);
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
    }

    [Fact]
    public async Task Token_signed_by_a_removed_key_is_RefreshTokenInvalidSignature()
    {
        var app = await target.Db.RegisterApplicationAsync();
        var session = await target.IssueAsync(app: app);
        var mediator = target.Services.GetRequiredService<IMediator>();
        var signedBy = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(session.RefreshToken.Split('.')[0]))
            .RootElement.GetProperty("kid").GetString()!;
        Assert.True((await mediator.Send(new RotateSigningKeyCommand(app.Anchor.Value))).Succeeded);

        var removed = await mediator.Send(new RemoveSigningKeyCommand(app.Anchor.Value, signedBy));

        Assert.True(removed.Succeeded, removed.Failure?.Message);
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Spent_rate_budget_is_429_with_Retry_After_after_the_signature_and_before_the_session()
    {
        var limited = target.StartInstance(new Dictionary<string, string?>
        {
            ["Connect:RateLimit:BurstLimit"] = "1",
            ["Connect:RateLimit:TokensPerSecond"] = "1",
        });
        var session = await target.IssueAsync();
        var token = session.RefreshToken;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await target.RefreshAsync(token, limited.Client);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                (_, token) = await RefreshAssert.RefreshedAsync(response);
            }
        }

        Assert.NotNull(refused);
        await RefreshAssert.ReasonAsync(refused, HttpStatusCode.TooManyRequests, "RateLimited");
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((RefreshTarget.Claims(token).GetProperty("jti").GetString(), (DateTime?)null), (row.CurrentJti, row.RevokedAt));

        // A forged token never reaches the budget: it is refused for its signature even when the budget is spent.
        var forged = ClientJwtTampering.WithSegment(token, 2, Flip(token.Split('.')[2]));
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(forged, limited.Client), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
    }

    [Fact]
    public async Task Session_ended_by_revoke_all_is_RefreshTokenRevoked()
    {
        var session = await target.IssueAsync();
        await ApiAssert.RevokedAsync(await target.RevokeAllAsync(session), 1);

        var response = await target.RefreshAsync(session.RefreshToken);

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
        Assert.Equal("revoke_all", (await target.RowAsync(session.SessionId)).RevokedReason);
    }

    [Fact]
    public async Task Expired_session_is_RefreshTokenExpired()
    {
        var session = await target.IssueAsync(expiresInSeconds: 5);
        target.Clock.Advance(TimeSpan.FromSeconds(5));

        var response = await target.RefreshAsync(session.RefreshToken);

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenExpired");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Disabled_application_is_403_ApplicationDisabled_only_for_a_genuine_token()
    {
        var app = await target.Db.RegisterApplicationAsync();
        var session = await target.IssueAsync(app: app);
        var mediator = target.Services.GetRequiredService<IMediator>();
        Assert.True((await mediator.Send(new SetApplicationEnabledCommand(app.Anchor.Value, Enabled: false))).Succeeded);

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(session.RefreshToken), HttpStatusCode.Forbidden, "ApplicationDisabled");
        var forged = ClientJwtTampering.WithSegment(session.RefreshToken, 2, Flip(session.RefreshToken.Split('.')[2]));
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(forged), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        await AssertUnchangedAsync(session);
    }

    [Fact]
    public async Task Reuse_after_the_grace_window_is_RefreshTokenFamilyCompromised_and_revokes_with_an_audit_row()
    {
        var session = await target.IssueAsync();
        var (_, current) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        target.Clock.Advance(TimeSpan.FromSeconds(RefreshTarget.GraceSeconds + 1));
        await target.AgeRotationAsync(session.SessionId, TimeSpan.FromSeconds(RefreshTarget.GraceSeconds + 1));

        var response = await target.RefreshAsync(session.RefreshToken);

        await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        var row = await target.RowAsync(session.SessionId);
        Assert.Equal(("reuse_detected", 1L, "reuse_detected"), (row.RevokedReason, row.Audits, row.AuditKinds));
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(current), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
    }

    private async Task<string> MintLikeAsync(Issued session, int version, string jti)
    {
        var genuine = RefreshTarget.Claims(session.RefreshToken);
        var claims = new RefreshTokenClaims(
            genuine.GetProperty("iss").GetString()!, session.App.Anchor.Value, session.SessionId, jti,
            genuine.GetProperty("iat").GetInt64(), genuine.GetProperty("exp").GetInt64(), version);
        return target.Codec.Mint(claims, await target.CurrentSigningKeyAsync(session.App));
    }

    private async Task AssertUnchangedAsync(Issued session)
    {
        var row = await target.RowAsync(session.SessionId);
        Assert.Equal(
            (1, RefreshTarget.Claims(session.RefreshToken).GetProperty("jti").GetString(), (string?)null, (DateTime?)null, 0L),
            (row.Version, row.CurrentJti, row.PreviousJti, row.RevokedAt, row.Audits));
    }

    private static string Flip(string segment)
    {
        // Change the first character to another of the alphabet: same length, still canonical base64url.
        var chars = segment.ToCharArray();
        chars[0] = chars[0] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
