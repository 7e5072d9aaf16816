using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Connect.Api.Tests.Sessions;

/// <summary>
/// What a flood of unauthenticated requests costs the database: every request of a test carries the test's own
/// trace id, and the round trips are Npgsql's own spans in that trace (one per command). A forged token under a kept
/// key costs none; an unknown aud, an unknown kid and a JWKS request for an unknown anchor cost one read for all of
/// them. The service's clock stands still, so what a read found a moment ago stays a moment ago.
/// </summary>
public sealed class UnauthenticatedReadCostTests : IAsyncLifetime
{
    private const int Requests = 20;

    private readonly SessionEndpoints _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Forged_signatures_under_a_kept_key_cost_no_read()
    {
        var session = await _api.IssueAsync(await _api.RegisterAsync());
        var forged = SessionEndpoints.ForgeSignature(session.AccessToken);

        var reads = await CountReadsAsync(async send =>
            await SessionAssert.ReasonAsync(await send("/introspect", forged), HttpStatusCode.Unauthorized, "AccessTokenInvalidSignature"));

        Assert.True(reads.Count <= 1, Describe(reads));
    }

    [Fact]
    public async Task Tokens_naming_an_unknown_application_cost_one_read()
    {
        var session = await _api.IssueAsync(await _api.RegisterAsync());
        var unknownAud = await _api.MintAccessAsync(session, claims => claims with { Audience = "no-such-application" });

        var reads = await CountReadsAsync(async send =>
            await SessionAssert.ReasonAsync(await send("/introspect", unknownAud), HttpStatusCode.Unauthorized, "AccessTokenInvalid"));

        Assert.True(reads.Count <= 1, Describe(reads));
    }

    [Fact]
    public async Task Tokens_naming_an_unknown_key_cost_one_read()
    {
        var session = await _api.IssueAsync(await _api.RegisterAsync());
        var unknownKid = WithKeyId(session.AccessToken, "unknown-key-id");
        // Issuance raised the key's signs-until (a new revision): a genuine request brings the kept copy up to date,
        // so what is counted is the unknown kid's cost alone, not the reload of keys that changed.
        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "active");

        var reads = await CountReadsAsync(async send =>
            await SessionAssert.ReasonAsync(await send("/introspect", unknownKid), HttpStatusCode.Unauthorized, "AccessTokenInvalidSignature"));

        Assert.True(reads.Count <= 1, Describe(reads));
    }

    [Fact]
    public async Task Jwks_requests_for_an_unknown_anchor_cost_one_read()
    {
        var reads = await CountReadsAsync(async send =>
            Assert.Equal(HttpStatusCode.NotFound, (await send("/applications/no-such-application/jwks.json", null)).StatusCode));

        Assert.True(reads.Count <= 1, Describe(reads));
    }

    /// <summary>Sends <see cref="Requests"/> requests through <paramref name="each"/>, all in one trace, and returns its database spans.</summary>
    private async Task<IReadOnlyList<string>> CountReadsAsync(Func<Func<string, string?, Task<HttpResponseMessage>>, Task> each)
    {
        var trace = ActivityTraceId.CreateRandom();
        var reads = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Commands only: Npgsql also traces opening a physical connection ("CONNECT db"), which the pool does
                // when it has no idle one, not because of what the request asked of the database.
                if (activity.TraceId == trace && activity.Source.Name == "Npgsql"
                    && (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) is not null)
                {
                    reads.Enqueue(activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        for (var i = 0; i < Requests; i++)
        {
            await each((route, accessToken) => SendAsync(trace, route, accessToken));
        }

        return [.. reads];
    }

    private Task<HttpResponseMessage> SendAsync(ActivityTraceId trace, string route, string? accessToken)
    {
        var request = accessToken is null
            ? new HttpRequestMessage(HttpMethod.Get, route)
            : new HttpRequestMessage(HttpMethod.Post, route)
            {
                Content = new StringContent($$"""{"accessToken":"{{accessToken}}"}""", Encoding.UTF8, "application/json"),
            };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        return _api.Client.SendAsync(request);
    }

    /// <summary>The token with its header's kid replaced (so its signature no longer verifies under anything).</summary>
    private static string WithKeyId(string token, string keyId)
    {
        var segments = token.Split('.');
        var header = JsonSerializer.Deserialize<Dictionary<string, string>>(Base64Url.DecodeFromChars(segments[0]))!;
        header["kid"] = keyId;
        var json = $$"""{"alg":"{{header["alg"]}}","kid":"{{header["kid"]}}","typ":"{{header["typ"]}}"}""";
        return $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json))}.{segments[1]}.{segments[2]}";
    }

    private static string Describe(IReadOnlyList<string> reads) =>
        $"{reads.Count} database round trips for {Requests} requests: {string.Join(", ", reads)}";
}
