using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Connect.Application.Administration.RemoveSigningKey;
using Connect.Application.Administration.RotateSigningKey;
using Connect.Testing.Seeding;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// The session endpoints verify tokens with the instance's kept copy of the signing keys without reading it, and let
/// their one statement confirm the copy's revision (docs/decisions.md, "Session endpoints in one round trip"). Each
/// test warms the first instance's copy, changes the application on a second instance (or in the database), and
/// shows that the first instance's very next request answers as if it had read everything anew: staleness zero.
/// The last tests count the statements a warm instance runs per request.
/// </summary>
public sealed class KeptSigningKeysTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Fact]
    public async Task Key_removed_on_another_instance_no_longer_verifies_here_on_the_next_request()
    {
        var (app, session) = await WarmSessionAsync();
        var (access, refresh) = await RefreshAsync(session.RefreshToken);
        var second = target.StartInstance();
        var signedBy = KeyIdOf(refresh);
        Assert.True((await Mediator(second).Send(new RotateSigningKeyCommand(app.Anchor.Value))).Succeeded);

        var removed = await Mediator(second).Send(new RemoveSigningKeyCommand(app.Anchor.Value, signedBy));

        Assert.True(removed.Succeeded, removed.Failure?.Message);
        await RefreshAssert.ReasonAsync(await IntrospectAsync(access), HttpStatusCode.Unauthorized, "AccessTokenInvalidSignature");
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(refresh), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        Assert.Equal("""{"revoked":false}""", await (await target.Client.SendAsync(LogoutRequest(refresh))).Content.ReadAsStringAsync());
        Assert.Equal((2, (DateTime?)null), ((await target.RowAsync(session.SessionId)).Version, (await target.RowAsync(session.SessionId)).RevokedAt));
    }

    [Fact]
    public async Task Application_disabled_on_another_instance_is_refused_here_at_once_and_accepted_again_once_enabled()
    {
        var (app, session) = await WarmSessionAsync();
        var (access, refresh) = await RefreshAsync(session.RefreshToken);

        await target.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var disabledRefresh = await target.RefreshAsync(refresh);
        var disabledIntrospect = await IntrospectAsync(access);
        await target.Db.Applications.SetEnabledAsync(app.Anchor, true, CancellationToken.None);
        var enabledIntrospect = await IntrospectAsync(access);
        var enabledRefresh = await target.RefreshAsync(refresh);

        await RefreshAssert.ReasonAsync(disabledRefresh, HttpStatusCode.Forbidden, "ApplicationDisabled");
        Assert.Contains("\"status\":\"revoked\"", await disabledIntrospect.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"status\":\"active\"", await enabledIntrospect.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await RefreshAssert.RefreshedAsync(enabledRefresh);
        Assert.Equal(3, (await target.RowAsync(session.SessionId)).Version);
    }

    [Fact]
    public async Task Token_signed_by_a_key_added_on_another_instance_after_this_one_kept_its_copy_verifies_here()
    {
        var (app, session) = await WarmSessionAsync();
        var (_, refresh) = await RefreshAsync(session.RefreshToken);
        var oldKey = KeyIdOf(refresh);
        // Published for no time before it signs, so the second instance signs with it at once.
        var second = target.StartInstance(new Dictionary<string, string?> { ["Connect:SigningKeys:JwksMaxAgeSeconds"] = "0" });
        var added = await Mediator(second).Send(new RotateSigningKeyCommand(app.Anchor.Value));
        var (accessByAdded, refreshByAdded) = await RefreshAsync(refresh, second.Client);

        var introspected = await IntrospectAsync(accessByAdded);
        var (_, refreshedHere) = await RefreshAsync(refreshByAdded);

        Assert.NotEqual(oldKey, added.Value!.KeyId);
        Assert.Equal(added.Value.KeyId, KeyIdOf(refreshByAdded));
        Assert.Contains("\"status\":\"active\"", await introspected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(added.Value.KeyId, KeyIdOf(refreshedHere));
        Assert.Equal(4, (await target.RowAsync(session.SessionId)).Version);
    }

    [Fact]
    public async Task Refresh_whose_kept_keys_moved_on_rotates_once_after_judging_again_and_answers_the_token_stored()
    {
        var (app, session) = await WarmSessionAsync();
        var (_, refresh) = await RefreshAsync(session.RefreshToken);
        var before = await target.Db.CurrentRevisionAsync(app.Anchor);
        // A change that leaves the token valid: a next key, published but not yet signing.
        Assert.True((await Mediator(target.StartInstance()).Send(new RotateSigningKeyCommand(app.Anchor.Value))).Succeeded);
        Assert.NotEqual(before, await target.Db.CurrentRevisionAsync(app.Anchor));

        using var statements = new StatementCounter();
        var (_, next) = await RefreshAsync(refresh, client: null, statements);

        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((3, RefreshTarget.Claims(next).GetProperty("jti").GetString()), (row.Version, row.CurrentJti));
        // The conditional rotation that found the revision moved (and wrote nothing), the confirming reads, and the
        // rotation that wrote.
        Assert.Equal(2, statements.Count(text => text.Contains("UPDATE sessions", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Warm_refresh_is_one_statement_and_one_commit()
    {
        var (_, session) = await WarmSessionAsync();
        var (_, refresh) = await RefreshAsync(session.RefreshToken);

        using var statements = new StatementCounter();
        await RefreshAsync(refresh, client: null, statements);

        var statement = Assert.Single(statements.Texts);
        Assert.Contains("UPDATE sessions", statement, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warm_introspect_userinfo_and_claim_state_are_one_statement_each()
    {
        var (_, session) = await WarmSessionAsync();
        var (access, _) = await RefreshAsync(session.RefreshToken);

        using var introspect = new StatementCounter();
        var introspected = await target.Client.SendAsync(introspect.Traced(IntrospectRequest(access)));
        using var userinfo = new StatementCounter();
        var userinfoAnswer = await target.Client.SendAsync(userinfo.Traced(BearerRequest("/userinfo", access)));
        using var claimState = new StatementCounter();
        var claimStateAnswer = await target.Client.SendAsync(claimState.Traced(BearerRequest("/claim-state", access)));

        Assert.Contains("\"status\":\"active\"", await introspected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (userinfoAnswer.StatusCode, claimStateAnswer.StatusCode));
        Assert.All([introspect, userinfo, claimState], counter => Assert.Contains("FROM sessions", Assert.Single(counter.Texts), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Warm_logout_is_its_session_read_and_its_end()
    {
        var (_, session) = await WarmSessionAsync();
        var (_, refresh) = await RefreshAsync(session.RefreshToken);

        using var statements = new StatementCounter();
        var answer = await target.Client.SendAsync(statements.Traced(LogoutRequest(refresh)));

        Assert.Equal("""{"revoked":true}""", await answer.Content.ReadAsStringAsync());
        Assert.Collection(
            statements.Texts,
            read => Assert.Contains("FROM sessions", read, StringComparison.Ordinal),
            end => Assert.Contains("UPDATE sessions", end, StringComparison.Ordinal));
    }

    /// <summary>A new application, a session of it, and the first instance's kept copy of its keys at their revision.</summary>
    private async Task<(TestApplication App, Issued Session)> WarmSessionAsync()
    {
        var app = await target.Db.RegisterApplicationAsync();
        var warm = await target.IssueAsync(app: app);
        // Issuance raised the key's signs-until (a new revision): one refresh brings the kept copy up to it.
        await RefreshAsync(warm.RefreshToken);
        return (app, await target.IssueAsync(app: app));
    }

    private async Task<(string Access, string Refresh)> RefreshAsync(string token, HttpClient? client = null, StatementCounter? statements = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/refresh")
        {
            Content = new StringContent($$"""{"refreshToken":"{{token}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        return await RefreshAssert.RefreshedAsync(await (client ?? target.Client).SendAsync(statements?.Traced(request) ?? request));
    }

    private Task<HttpResponseMessage> IntrospectAsync(string access) => target.Client.SendAsync(IntrospectRequest(access));

    private static HttpRequestMessage IntrospectRequest(string access)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/introspect")
        {
            Content = new StringContent($$"""{"accessToken":"{{access}}"}""", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        return request;
    }

    private static HttpRequestMessage LogoutRequest(string refresh)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/logout")
        {
            Content = new StringContent($$"""{"refreshToken":"{{refresh}}"}""", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        return request;
    }

    private static HttpRequestMessage BearerRequest(string route, string access)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, route);
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {access}");
        return request;
    }

    private static IMediator Mediator(ServiceInstance instance) => instance.Services.GetRequiredService<IMediator>();

    private static string KeyIdOf(string token)
    {
        using var header = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]));
        return header.RootElement.GetProperty("kid").GetString()!;
    }
}

/// <summary>
/// The database statements one request runs, each a round trip: Npgsql traces every command it sends as a span, and
/// the request carries a trace id of its own, so only its spans are counted, whatever other tests run beside it.
/// </summary>
internal sealed class StatementCounter : IDisposable
{
    private readonly ActivityTraceId _trace = ActivityTraceId.CreateRandom();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public StatementCounter()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == _trace && activity.Source.Name == "Npgsql")
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>
    /// The text of every command the traced request ran, in the order they ended; a physical connection's opening
    /// (a span without a query, "CONNECT db") is the pool's doing, not a statement.
    /// </summary>
    public IReadOnlyList<string> Texts => [.. _spans
        .Select(span => (span.GetTagItem("db.query.text") ?? span.GetTagItem("db.statement"))?.ToString())
        .OfType<string>()];

    public int Count(Func<string, bool> which) => Texts.Count(which);

    public HttpRequestMessage Traced(HttpRequestMessage request)
    {
        request.Headers.Add("traceparent", $"00-{_trace}-{ActivitySpanId.CreateRandom()}-01");
        return request;
    }

    public void Dispose() => _listener.Dispose();
}
