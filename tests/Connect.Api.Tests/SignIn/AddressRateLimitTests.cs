using System.Net;
using System.Text;
using Connect.Api.Tests.Sessions;
using Connect.Application.SigningKeys;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace Connect.Api.Tests.SignIn;

/// <summary>
/// The budget per client address on the paths with no credential step (JWKS, <c>/status-poll</c>, <c>/redeem</c>,
/// <c>/info</c>): one bucket shared by the four, spent before any database work, keyed by the socket's peer or, from a
/// trusted proxy only, by its <c>X-Forwarded-For</c>. Requests are sent with a chosen peer address (the in-memory
/// server has none of its own). The bucket refills in real time, a token a second, so each flood sends more than one
/// bucket could pass and bounds what got through by the time it took, never by a guess about timing.
/// </summary>
public sealed class AddressRateLimitTests : IAsyncLifetime
{
    private const int Burst = 10;

    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.1");

    private readonly ConnectApi _api = new(new ConnectApiOptions
    {
        Settings = new Dictionary<string, string?>
        {
            ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
            ["Connect:RateLimit:AddressBurstLimit"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Connect:RateLimit:AddressTokensPerSecond"] = "1",
            ["Connect:RateLimit:TrustedProxies:0"] = Proxy.ToString(),
        },
    });

    private EstablishAnswer _inquiry = null!;

    private TestApplication _app => _api.App;

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();
        // Through the test client, whose requests have no peer: their bucket is none of the addresses below.
        var client = new SignInClient(_api.NewClient(), () => DateTimeOffset.UtcNow);
        _inquiry = await SignInClient.ReadAsync<EstablishAnswer>(await client.EstablishAsync(_app.Anchor.Value, _app.Key, new EstablishBody(_app.Anchor.Value)));
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task One_address_spends_one_bucket_over_the_four_paths_and_its_refusal_comes_before_any_database_work()
    {
        var flooder = IPAddress.Parse("192.0.2.10");
        // Another address polls once: a poll that gets through is counted.
        Assert.Equal(200, (await StatusPollAsync(IPAddress.Parse("192.0.2.11"))).Status);
        Assert.Equal(1, await PollsAsync());
        Func<Task<(string Path, Answer Answer)>>[] paths =
        [
            async () => ("jwks", await JwksAsync(flooder)),
            async () => ("info", await InfoAsync(flooder)),
            async () => ("redeem", await RedeemAsync(flooder)),
            async () => ("status-poll", await StatusPollAsync(flooder)),
        ];

        // Each path's share (seven or eight) would pass a bucket of its own; together they overdraw the one they share.
        var (answers, elapsed) = await FloodAsync(3 * Burst, round => paths[round % paths.Length]());

        AssertOneBucket([.. answers.Select(answer => answer.Answer)], elapsed);
        Assert.Equal(["info", "jwks", "redeem", "status-poll"], answers.Where(answer => answer.Answer.Status == 429).Select(answer => answer.Path).Distinct().Order());
        var polled = answers.Count(answer => answer.Path == "status-poll" && answer.Answer.Status == 200);
        Assert.Equal(1 + polled, await PollsAsync());
        // The JWKS's refusal is no answer for a shared cache to keep.
        Assert.All(answers.Where(answer => answer.Path == "jwks" && answer.Answer.Status == 429), answer => Assert.Equal("no-store", answer.Answer.CacheControl));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket()
    {
        var flooder = "198.51.100.7";

        // What the client wrote itself stands left of what the proxy saw, and changes nothing.
        var (answers, elapsed) = await FloodAsync(2 * Burst, round =>
            StatusPollAsync(Proxy, forwardedFor: round % 2 == 0 ? flooder : $"203.0.113.{round}, {flooder}"));

        AssertOneBucket(answers, elapsed);
        Assert.Equal(200, (await StatusPollAsync(Proxy, forwardedFor: "198.51.100.8")).Status);
        Assert.Equal(200, (await StatusPollAsync(Proxy, forwardedFor: $"{flooder}, 198.51.100.9")).Status);
        Assert.Equal(200, (await StatusPollAsync(Proxy)).Status);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_peer_that_is_not_a_trusted_proxy_is_ignored()
    {
        var flooder = IPAddress.Parse("192.0.2.20");

        var (answers, elapsed) = await FloodAsync(2 * Burst, round => round % 2 == 0
            ? StatusPollAsync(flooder, forwardedFor: $"198.51.100.{round}")
            : JwksAsync(flooder, forwardedFor: $"198.51.100.{round}"));

        AssertOneBucket(answers, elapsed);
    }

    [Fact]
    public async Task Endpoints_whose_caller_is_proved_by_a_token_do_not_spend_the_address_budget()
    {
        var flooder = IPAddress.Parse("192.0.2.30");
        var (answers, elapsed) = await FloodAsync(2 * Burst, _ => JwksAsync(flooder));
        AssertOneBucket(answers, elapsed);

        var forged = SessionEndpoints.ForgeSignature("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        var body = Encoding.UTF8.GetBytes($$"""{"refreshToken":"{{forged}}"}""");
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/refresh", body)).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/introspect", Encoding.UTF8.GetBytes($$"""{"accessToken":"{{forged}}"}"""))).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Get, "/userinfo", authorization: $"Bearer {forged}")).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/revoke-all", Encoding.UTF8.GetBytes("""{"subject":"s"}"""), authorization: "SudomimusClientJWT x.y.z")).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/establish", Encoding.UTF8.GetBytes("{}"), authorization: "SudomimusClientJWT x.y.z")).Status);
    }

    /// <summary>Sends <paramref name="count"/> requests one after another, timed.</summary>
    private static async Task<(List<T> Answers, TimeSpan Elapsed)> FloodAsync<T>(int count, Func<int, Task<T>> send)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answers = new List<T>();
        for (var round = 0; round < count; round++)
        {
            answers.Add(await send(round));
        }

        return (answers, clock.Elapsed);
    }

    /// <summary>
    /// The answers came out of one bucket: at most its burst and a token per second begun got through (the refill
    /// is real time), every other answer is the contract's 429, and there was at least one.
    /// </summary>
    private static void AssertOneBucket(IReadOnlyList<Answer> answers, TimeSpan elapsed)
    {
        var passed = answers.Count(answer => answer.Status != 429);
        Assert.True(passed <= Burst + 1 + (int)elapsed.TotalSeconds, $"{passed} of {answers.Count} got through in {elapsed}");
        Assert.Contains(answers, answer => answer.Status == 429);
        Assert.All(answers.Where(answer => answer.Status == 429), AssertRateLimited);
    }

    private static void AssertRateLimited(Answer answer) =>
        Assert.Equal((429, """{"reason":"RateLimited"}""", "1"), (answer.Status, answer.Body, answer.RetryAfter));

    private Task<Answer> JwksAsync(IPAddress peer, string? forwardedFor = null) =>
        SendAsync(peer, HttpMethods.Get, $"/applications/{_app.Anchor.Value}/jwks.json", forwardedFor: forwardedFor);

    private Task<Answer> InfoAsync(IPAddress peer) =>
        SendAsync(peer, HttpMethods.Post, "/info", SignInClient.Serialize(new InfoBody(_app.Anchor.Value, "en-US")));

    private Task<Answer> RedeemAsync(IPAddress peer) =>
        SendAsync(peer, HttpMethods.Post, "/redeem", SignInClient.Serialize(new RedeemBody(_inquiry.ExposureKey, _inquiry.HiddenKey, "not-the-confirmation-key")));

    private Task<Answer> StatusPollAsync(IPAddress peer, string? forwardedFor = null) =>
        SendAsync(peer, HttpMethods.Post, "/status-poll", SignInClient.Serialize(new StatusPollBody(_inquiry.ExposureKey, _inquiry.HiddenKey)), forwardedFor);

    private async Task<int> PollsAsync()
    {
        await using var connection = new NpgsqlConnection(_api.ConnectionString);
        return await connection.ExecuteScalarAsync<int>("SELECT polls FROM inquiries WHERE exposure_key = @Key", new { Key = _inquiry.ExposureKey });
    }

    private async Task<Answer> SendAsync(
        IPAddress peer, string method, string path, byte[]? body = null, string? forwardedFor = null, string? authorization = null)
    {
        var context = await _api.Service.Factory.Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = peer;
            context.Request.Method = method;
            context.Request.Path = path;
            context.Request.Host = new HostString("localhost");
            if (body is not null)
            {
                context.Request.ContentType = "application/json";
                context.Request.ContentLength = body.Length;
                context.Request.Body = new MemoryStream(body);
            }

            if (forwardedFor is not null)
            {
                context.Request.Headers["X-Forwarded-For"] = forwardedFor;
            }

            if (authorization is not null)
            {
                context.Request.Headers.Authorization = authorization;
            }
        });
        var text = await new StreamReader(context.Response.Body, Encoding.UTF8).ReadToEndAsync();
        var headers = context.Response.Headers;
        return new Answer(context.Response.StatusCode, text, headers.RetryAfter.ToString() is { Length: > 0 } retry ? retry : null, headers.CacheControl.ToString());
    }

    private sealed record Answer(int Status, string Body, string? RetryAfter, string CacheControl);
}
