using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
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
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Api.Tests.Sessions;

/// <summary>
/// The real service in memory over a fresh PostgreSQL database, for the endpoints that take a session token
/// (<c>/logout</c>, <c>/introspect</c>, <c>/userinfo</c>, <c>/claim-state</c>). Its clock is a fake that stands at a
/// whole second near the real time, so that expiry is judged exactly; sessions are issued through the service's own
/// issuance command, so their tokens are the ones a client would hold.
/// </summary>
public sealed class SessionEndpoints : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private ConnectApiFactory _factory = null!;
    private WebApplicationFactory<Program> _api = null!;
    private readonly SemaphoreSlim _sharedLock = new(1, 1);
    private (TestApplication, TestApplication)? _shared;

    public SessionEndpoints()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="settings">Configuration over the defaults (a generous rate budget, a fresh key-encryption key).</param>
    /// <param name="services">Last changes to the service's services (a capturing logger, say).</param>
    internal SessionEndpoints(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _services = services;
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public ConnectTestDatabase Db { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _api.Services;

    public async Task InitializeAsync()
    {
        Db = await ConnectTestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
            ["Connect:RateLimit:BurstLimit"] = "100000",
            ["Connect:RateLimit:SessionBurstLimit"] = "100000",
            ["Connect:RateLimit:SessionTokensPerSecond"] = "100000",
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        _factory = new ConnectApiFactory(Db.ConnectionString, settings);
        _api = _factory.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                _services?.Invoke(services);
            }));
        Client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _sharedLock.Dispose();
        Client.Dispose();
        await _api.DisposeAsync();
        await _factory.DisposeAsync();
        await Db.DisposeAsync();
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

    public Task<HttpResponseMessage> PostAsync(string route, string body, string contentType = "application/json") =>
        PostAsync(route, Encoding.UTF8.GetBytes(body), contentType);

    public Task<HttpResponseMessage> PostAsync(string route, byte[] body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> LogoutAsync(string refreshToken) =>
        PostAsync("/logout", $$"""{"refreshToken":"{{refreshToken}}"}""");

    public Task<HttpResponseMessage> IntrospectAsync(string accessToken) =>
        PostAsync("/introspect", $$"""{"accessToken":"{{accessToken}}"}""");

    /// <summary>A GET with exactly this <c>Authorization</c> value (none when <c>null</c>).</summary>
    public Task<HttpResponseMessage> GetAsync(string route, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, route);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return Client.SendAsync(request);
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
