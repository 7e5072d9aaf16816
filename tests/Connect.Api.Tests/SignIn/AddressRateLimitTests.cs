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
/// server has none of its own); the bucket is small and refills at one a second, so each test spends it at once.
/// </summary>
public sealed class AddressRateLimitTests : IAsyncLifetime
{
    private const int Burst = 3;

    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.1");

    private ConnectTestDatabase _db = null!;
    private ConnectApiFactory _api = null!;
    private TestApplication _app = null!;
    private EstablishAnswer _inquiry = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _api = new ConnectApiFactory(_db.ConnectionString, new Dictionary<string, string?>
        {
            ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
            ["Connect:RateLimit:AddressBurstLimit"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Connect:RateLimit:AddressTokensPerSecond"] = "1",
            ["Connect:RateLimit:TrustedProxies:0"] = Proxy.ToString(),
        });
        _app = await _db.RegisterApplicationAsync();
        // Through the test client, whose requests have no peer: their bucket is none of the addresses below.
        var client = new SignInClient(_api.CreateClient(), () => DateTimeOffset.UtcNow);
        _inquiry = await SignInClient.ReadAsync<EstablishAnswer>(await client.EstablishAsync(_app.Anchor.Value, _app.Key, new EstablishBody(_app.Anchor.Value)));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task One_address_spends_one_bucket_over_the_four_paths_and_its_refusal_comes_before_any_database_work()
    {
        var flooder = IPAddress.Parse("192.0.2.10");
        Assert.NotEqual(429, (await JwksAsync(flooder)).Status);
        Assert.NotEqual(429, (await InfoAsync(flooder)).Status);
        Assert.NotEqual(429, (await RedeemAsync(flooder)).Status);
        // Another address polls once: a poll that gets through is counted.
        Assert.Equal(200, (await StatusPollAsync(IPAddress.Parse("192.0.2.11"))).Status);
        Assert.Equal(1, await PollsAsync());

        var refused = new[] { await StatusPollAsync(flooder), await JwksAsync(flooder), await InfoAsync(flooder), await RedeemAsync(flooder) };

        Assert.All(refused, answer => AssertRateLimited(answer));
        Assert.Equal(1, await PollsAsync());
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket()
    {
        var flooder = "198.51.100.7";
        for (var i = 0; i < Burst; i++)
        {
            Assert.Equal(200, (await StatusPollAsync(Proxy, forwardedFor: flooder)).Status);
        }

        AssertRateLimited(await StatusPollAsync(Proxy, forwardedFor: flooder));
        // What the client wrote itself stands left of what the proxy saw, and changes nothing.
        AssertRateLimited(await StatusPollAsync(Proxy, forwardedFor: $"203.0.113.5, {flooder}"));
        Assert.Equal(200, (await StatusPollAsync(Proxy, forwardedFor: "198.51.100.8")).Status);
        Assert.Equal(200, (await StatusPollAsync(Proxy, forwardedFor: $"{flooder}, 198.51.100.9")).Status);
        Assert.Equal(200, (await StatusPollAsync(Proxy)).Status);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_peer_that_is_not_a_trusted_proxy_is_ignored()
    {
        var flooder = IPAddress.Parse("192.0.2.20");
        for (var i = 0; i < Burst; i++)
        {
            Assert.Equal(200, (await StatusPollAsync(flooder, forwardedFor: $"198.51.100.{20 + i}")).Status);
        }

        AssertRateLimited(await StatusPollAsync(flooder, forwardedFor: "198.51.100.99"));
        AssertRateLimited(await JwksAsync(flooder, forwardedFor: "198.51.100.98"));
    }

    [Fact]
    public async Task Endpoints_whose_caller_is_proved_by_a_token_do_not_spend_the_address_budget()
    {
        var flooder = IPAddress.Parse("192.0.2.30");
        for (var i = 0; i < Burst; i++)
        {
            await JwksAsync(flooder);
        }

        AssertRateLimited(await JwksAsync(flooder));

        var forged = SessionEndpoints.ForgeSignature("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        var body = Encoding.UTF8.GetBytes($$"""{"refreshToken":"{{forged}}"}""");
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/refresh", body)).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/introspect", Encoding.UTF8.GetBytes($$"""{"accessToken":"{{forged}}"}"""))).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Get, "/userinfo", authorization: $"Bearer {forged}")).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/revoke-all", Encoding.UTF8.GetBytes("""{"subject":"s"}"""), authorization: "SudomimusClientJWT x.y.z")).Status);
        Assert.Equal(401, (await SendAsync(flooder, HttpMethods.Post, "/establish", Encoding.UTF8.GetBytes("{}"), authorization: "SudomimusClientJWT x.y.z")).Status);
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
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        return await connection.ExecuteScalarAsync<int>("SELECT polls FROM inquiries WHERE exposure_key = @Key", new { Key = _inquiry.ExposureKey });
    }

    private async Task<Answer> SendAsync(
        IPAddress peer, string method, string path, byte[]? body = null, string? forwardedFor = null, string? authorization = null)
    {
        var context = await _api.Server.SendAsync(context =>
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
        return new Answer(context.Response.StatusCode, text, context.Response.Headers.RetryAfter.ToString() is { Length: > 0 } retry ? retry : null);
    }

    private sealed record Answer(int Status, string Body, string? RetryAfter);
}
