using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Sessions;

/// <summary>
/// The <see cref="ConnectApi"/> fixture in memory, for the endpoints that take a session token (<c>/logout</c>,
/// <c>/introspect</c>, <c>/userinfo</c>, <c>/claim-state</c>). Its clock is a fake that stands at a whole second near
/// the real time, so that expiry is judged exactly; sessions are issued through the service's own issuance command,
/// so their tokens are the ones a client would hold. Tests register the applications they need.
/// </summary>
public sealed class SessionEndpoints : ConnectApi
{
    private readonly SemaphoreSlim _sharedLock = new(1, 1);
    private (TestApplication, TestApplication)? _shared;

    public SessionEndpoints()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="settings">Configuration over the defaults (a generous rate budget, a fresh key-encryption key).</param>
    /// <param name="services">Last changes to the service's services (a capturing logger, say).</param>
    internal SessionEndpoints(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
        : base(new ConnectApiOptions
        {
            Unthrottled = true,
            Clock = StillClock(),
            SeedApplication = false,
            Services = services,
            Settings = new Dictionary<string, string?>
            {
                ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
            }.Concat(settings).ToDictionary(),
        })
    {
    }

    public override async Task DisposeAsync()
    {
        _sharedLock.Dispose();
        await base.DisposeAsync();
    }

    public Task<TestApplication> RegisterAsync() => Db.RegisterApplicationAsync();

    /// <summary>
    /// Two applications registered once for the whole fixture (each registration makes RSA keys), for tests that
    /// need fresh sessions but not fresh applications. Tests that disable an application register their own.
    /// </summary>
    public async Task<(TestApplication First, TestApplication Second)> SharedApplicationsAsync()
    {
        await _sharedLock.WaitAsync();
        try
        {
            _shared ??= (await RegisterAsync(), await RegisterAsync());
            return _shared.Value;
        }
        finally
        {
            _sharedLock.Release();
        }
    }

    /// <summary>A new account of <paramref name="app"/>'s sector with one session, issued as a login front end would.</summary>
    public async Task<IssuedTestSession> IssueAsync(TestApplication app, int expiresInSeconds = 3600, AccountId? account = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var holder = account ?? (await Db.CreateAccountWithSubjectAsync(app.Sector)).Account;
        var outcome = await Services.GetRequiredService<IMediator>()
            .Send(new IssueSessionsCommand(holder, app.Anchor.Value, 1, expiresInSeconds));
        var issued = Assert.Single(outcome.Value!.Sessions);
        var subject = JwksCheckPayloadSubject(issued.AccessToken);
        return new IssuedTestSession(app, holder, subject, issued.SessionId, issued.AccessToken, issued.RefreshToken);
    }

    /// <summary>Moves the session on by one version in the store, as a refresh would, with a jti of the test's choosing.</summary>
    public async Task<string> RotateAsync(IssuedTestSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var store = Services.GetRequiredService<ISessionStore>();
        var state = await store.FindAsync(new SessionId(session.Sid), CancellationToken.None);
        var newJti = SessionTokenCodec.NewOpaqueId();
        var attempt = await store.TryRotateAsync(
            new SessionRotation(
                state!.Id, session.App.Id, state.RotationVersion, state.CurrentJti, newJti,
                DateTimeOffset.FromUnixTimeSeconds(Clock.GetUtcNow().ToUnixTimeSeconds()), state.CurrentKeyId ?? "kid", Clock.GetUtcNow()),
            CancellationToken.None);
        Assert.True(attempt.Rotated);
        return newJti;
    }

    /// <summary>A refresh token of the session signed by its application's current key, with the claims the test names.</summary>
    public async Task<string> MintRefreshAsync(IssuedTestSession session, Func<RefreshTokenClaims, RefreshTokenClaims> change)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(change);
        var codec = Services.GetRequiredService<SessionTokenCodec>();
        var genuine = codec.ReadRefresh(session.RefreshToken).Value!.Claims;
        return codec.Mint(change(genuine), await SigningKeyAsync(session));
    }

    /// <summary>An access token of the session signed by its application's current key, with the claims the test names.</summary>
    public async Task<string> MintAccessAsync(IssuedTestSession session, Func<AccessTokenClaims, AccessTokenClaims> change)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(change);
        var codec = Services.GetRequiredService<SessionTokenCodec>();
        var genuine = codec.ReadAccess(session.AccessToken).Value!.Claims;
        return codec.Mint(change(genuine), await SigningKeyAsync(session));
    }

    /// <summary>The same token re-signed by a key the service never held, under the genuine key's id.</summary>
    public static string ForgeSignature(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        using var forger = RSA.Create(2048);
        var signingInput = token[..token.LastIndexOf('.')];
        var signature = forger.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    public async Task SetEnabledAsync(TestApplication app, bool enabled) =>
        await Db.Applications.SetEnabledAsync(app.Anchor, enabled, CancellationToken.None);

    /// <summary>The session's row as the database holds it.</summary>
    public async Task<SessionRow> RowAsync(string sid)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return await connection.QuerySingleAsync<SessionRow>(
            "SELECT rotation_version AS rotationversion, revoked_at IS NOT NULL AS revoked, revoked_reason AS revokedreason FROM sessions WHERE sid = @Sid",
            new { Sid = sid });
    }

    /// <summary>The kinds of the audit events that name the session, oldest first.</summary>
    public async Task<IReadOnlyList<string>> AuditKindsAsync(string sid)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return [.. await connection.QueryAsync<string>(
            "SELECT r.kind FROM revocation_audit r JOIN sessions s ON s.id = r.session_id WHERE s.sid = @Sid ORDER BY r.id",
            new { Sid = sid })];
    }

    /// <summary>Everything a request could change about sessions and their audit, as one comparable text.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return await connection.QuerySingleAsync<string>("""
            SELECT coalesce((SELECT string_agg(concat_ws('|', sid, rotation_version, current_jti, previous_jti, revoked_at, revoked_reason, expires_at), ',' ORDER BY sid) FROM sessions), '')
                || '#' || (SELECT count(*) FROM revocation_audit)
            """);
    }

    private async Task<TokenSigningKey> SigningKeyAsync(IssuedTestSession session)
    {
        var key = await Services.GetRequiredService<ICurrentSigningKey>()
            .GetCurrentSigningKeyAsync(session.App.Id, Clock.GetUtcNow().AddHours(1), CancellationToken.None);
        return key!;
    }

    private static string JwksCheckPayloadSubject(string accessToken)
    {
        using var payload = Connect.Testing.SessionTokens.JwksCheck.Payload(accessToken);
        return payload.RootElement.GetProperty("sub").GetString()!;
    }
}

/// <summary>One issued session: its application, account, subject, sid and first token pair.</summary>
public sealed record IssuedTestSession(
    TestApplication App, AccountId Account, string Subject, string Sid, string AccessToken, string RefreshToken);

public sealed record SessionRow(int RotationVersion, bool Revoked, string? RevokedReason);

/// <summary>Exact answers of the session-token endpoints.</summary>
internal static class SessionAssert
{
    public static async Task JsonAsync(HttpResponseMessage response, HttpStatusCode status, string body)
    {
        Assert.Equal((status, body), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    public static Task LogoutAsync(HttpResponseMessage response, bool revoked) =>
        JsonAsync(response, HttpStatusCode.OK, revoked ? """{"revoked":true}""" : """{"revoked":false}""");

    public static Task StatusAsync(HttpResponseMessage response, string status, int recheckSeconds = 30) =>
        JsonAsync(response, HttpStatusCode.OK, string.Create(
            CultureInfo.InvariantCulture, $$"""{"status":"{{status}}","recommendedRecheckSeconds":{{recheckSeconds}}}"""));

    /// <summary>A body-token endpoint's error: <c>{"reason":...}</c>, and no challenge even on a 401 (no scheme to name).</summary>
    public static async Task ReasonAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        await JsonAsync(response, status, $$"""{"reason":"{{reason}}"}""");
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    /// <summary>The Bearer endpoints' one refusal (RFC 6750 §3.1), with their three answer headers.</summary>
    public static async Task InvalidTokenAsync(HttpResponseMessage response)
    {
        await JsonAsync(response, HttpStatusCode.Unauthorized, """{"error":"invalid_token"}""");
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        AssertBearerHeaders(response);
    }

    public static void AssertBearerHeaders(HttpResponseMessage response)
    {
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
        Assert.Equal("Authorization", response.Headers.Vary.ToString());
    }
}
