using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// The <see cref="ConnectApi"/> fixture on a loopback Kestrel port with its one registered application, and a fake
/// clock standing still at a whole second (moved only by the tests that ask), so that the grace window and expiry are
/// exact. Each test issues sessions of its own through the service's own issuance command. Further instances
/// (<see cref="ConnectApi.StartInstance"/>) share the database, clock and key-encryption key.
/// </summary>
public sealed class RefreshTarget() : ConnectApi(new ConnectApiOptions
{
    Loopback = true,
    Unthrottled = true,
    // An hour behind the real time, so that tests may move it forward without passing the database's clock:
    // revoke-all stamps revoked_at = now(), which must not fall before a session's issued_at.
    Clock = StillClock(TimeSpan.FromHours(-1)),
    Settings = new Dictionary<string, string?>
    {
        ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
        ["Connect:Sessions:RefreshGraceSeconds"] = GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Connect:SessionTokens:Issuer"] = "https://connect.test",
    },
})
{
    public const int GraceSeconds = 30;

    /// <summary>A new account and one session of it for the application, through the issuance command.</summary>
    public async Task<Issued> IssueAsync(int expiresInSeconds = IssueSessionsCommand.DefaultExpiresInSeconds, TestApplication? app = null)
    {
        var owner = app ?? App;
        var account = await Db.Accounts.CreateAccountAsync(CancellationToken.None);
        var outcome = await Services.GetRequiredService<IMediator>().Send(
            new IssueSessionsCommand(account, owner.Anchor.Value, 1, expiresInSeconds));
        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var session = Assert.Single(outcome.Value!.Sessions);
        return new Issued(owner, account, session.SessionId, session.RefreshToken);
    }

    public Task<HttpResponseMessage> RefreshAsync(string token, HttpClient? client = null) =>
        PostRefreshAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["refreshToken"] = token }), client);

    /// <summary>Exactly this body to <c>/refresh</c>.</summary>
    public Task<HttpResponseMessage> PostRefreshAsync(string body, HttpClient? client = null, string contentType = "application/json") =>
        PostAsync("/refresh", body, contentType, client);

    /// <summary>A revoke-all for the account's subject, signed by the application's client key at the fake clock.</summary>
    public async Task<HttpResponseMessage> RevokeAllAsync(Issued session, HttpClient? client = null)
    {
        var subject = await Db.Accounts.IssueSubjectAsync(session.Account, session.App.Sector, CancellationToken.None);
        var body = RevokeAllBodies.For(subject!.Value.Value);
        return await (client ?? Client).SendAsync(ConnectApiFactory.Request(NewJwt(body, session.App).AuthorizationHeader(), body));
    }

    /// <summary>
    /// Makes the session's last rotation <paramref name="elapsed"/> old on the database's clock (its commit time set
    /// that long before the database's now): the grace window is judged on that clock, which the tests cannot advance.
    /// </summary>
    public async Task AgeRotationAsync(string sid, TimeSpan elapsed)
    {
        await using var connection = await Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteAsync(
            "UPDATE sessions SET rotation_committed_at = now() - make_interval(secs => @Seconds) WHERE sid = @Sid AND rotation_version > 1",
            new { Sid = sid, Seconds = elapsed.TotalSeconds }));
    }

    /// <summary>The session's row as the database holds it now.</summary>
    public async Task<SessionRow> RowAsync(string sid)
    {
        await using var connection = await Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return await connection.QuerySingleAsync<SessionRow>(
            """
            SELECT rotation_version AS version, current_jti AS currentjti, previous_jti AS previousjti,
                   rotated_at AS rotatedat, current_key_id AS currentkeyid, revoked_at AS revokedat,
                   revoked_reason AS revokedreason,
                   (SELECT count(*) FROM revocation_audit r WHERE r.session_id = s.id) AS audits,
                   (SELECT string_agg(r.kind, ',') FROM revocation_audit r WHERE r.session_id = s.id) AS auditkinds
              FROM sessions s WHERE sid = @Sid
            """,
            new { Sid = sid });
    }

    /// <summary>The application's current signing key, as the service holds it (for tests that mint their own tokens).</summary>
    public async Task<TokenSigningKey> CurrentSigningKeyAsync(TestApplication? app = null) =>
        (await Services.GetRequiredService<SigningKeyRing>().GetCurrentSigningKeyAsync(
            (app ?? App).Id, Clock.GetUtcNow().AddDays(31), CancellationToken.None))!;

    public SessionTokenCodec Codec => Services.GetRequiredService<SessionTokenCodec>();

    /// <summary>Signs exactly this header and payload text (RS256, unpadded base64url), whatever they say.</summary>
    public static string SignRaw(string headerJson, string payloadJson, RSA key) =>
        ClientJwtTampering.SignRaw(key, Encoding.UTF8.GetBytes(headerJson), Encoding.UTF8.GetBytes(payloadJson));

    public static JsonElement Claims(string token)
    {
        using var payload = Connect.Testing.SessionTokens.JwksCheck.Payload(token);
        return payload.RootElement.Clone();
    }
}

/// <param name="SessionId">The session's <c>sid</c>.</param>
/// <param name="RefreshToken">Its first refresh token (version 1).</param>
public sealed record Issued(TestApplication App, AccountId Account, string SessionId, string RefreshToken);

public sealed record SessionRow(
    int Version, string CurrentJti, string? PreviousJti, DateTime RotatedAt, string? CurrentKeyId, DateTime? RevokedAt,
    string? RevokedReason, long Audits, string? AuditKinds);

internal static class RefreshAssert
{
    /// <summary>A body-token endpoint's error: the status, exactly <c>{"reason":"..."}</c>, and no challenge header.</summary>
    public static async Task ReasonAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal((status, $$"""{"reason":"{{reason}}"}"""), (response.StatusCode, body));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    /// <summary>A 200 of <c>/refresh</c>: returns the refresh token it carries (and checks the whole shape).</summary>
    public static async Task<(string Access, string Refresh)> RefreshedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["accessToken", "refreshToken", "claims"], root.EnumerateObject().Select(member => member.Name));
        return (root.GetProperty("accessToken").GetString()!, root.GetProperty("refreshToken").GetString()!);
    }
}
