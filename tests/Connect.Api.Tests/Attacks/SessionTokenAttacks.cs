using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Connect.Api.Tests.Sessions;
using Connect.Application.SigningKeys;
using Connect.Testing.ClientJwts;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// Hostile session tokens on the endpoints that take one: <c>/logout</c> (a refresh token in the body),
/// <c>/introspect</c> (an access token in the body) and <c>/userinfo</c> (a Bearer access token). Most are signed
/// with the application's real signing key, so only their structure is at fault. Each is refused in its endpoint's
/// way, changes nothing in the database, and leaves the genuine token working.
/// </summary>
public sealed class SessionTokenAttacks(SessionEndpoints target) : IClassFixture<SessionEndpoints>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in new[] { "/logout", "/introspect", "/userinfo" })
        {
            foreach (var attack in Structural.Concat(Signature))
            {
                data.Add(endpoint, attack);
            }
        }

        return data;
    }

    /// <summary>Attacks the reader refuses before any key is looked at: <c>AccessTokenInvalid</c> on <c>/introspect</c>.</summary>
    private static readonly string[] Structural =
    [
        "alg none", "alg HS256 keyed with the public key", "alg RS512", "embedded jwk", "jku header", "kid traversal",
        "duplicate sid", "exp as string", "exp fractional", "extra claim", "missing sid", "padded payload",
        "standard alphabet signature", "nested JSON", "other kind's typ", "NUL in sid", "two segments",
        "empty signature",
    ];

    /// <summary>Attacks with a well-formed token the signature check refuses: <c>AccessTokenInvalidSignature</c> on <c>/introspect</c>.</summary>
    private static readonly string[] Signature =
    [
        "forged signature", "payload changed after signing", "another token's signature", "unknown kid",
        "another application's aud under this key",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_token_is_refused_and_changes_nothing(string endpoint, string attack)
    {
        var (app, other) = await target.SharedApplicationsAsync();
        var session = await target.IssueAsync(app);
        var genuine = endpoint == "/logout" ? session.RefreshToken : session.AccessToken;
        var hostile = await ForgeAsync(attack, genuine, session, other);
        Assert.NotEqual(genuine, hostile);
        var before = await target.SnapshotAsync();

        var response = await SendAsync(endpoint, hostile);

        switch (endpoint)
        {
            case "/logout":
                await SessionAssert.LogoutAsync(response, revoked: false);
                break;
            case "/introspect":
                await SessionAssert.ReasonAsync(
                    response, HttpStatusCode.Unauthorized,
                    Structural.Contains(attack) ? "AccessTokenInvalid" : "AccessTokenInvalidSignature");
                break;
            default:
                await SessionAssert.InvalidTokenAsync(response);
                break;
        }

        Assert.Equal(before, await target.SnapshotAsync());
        await AssertGenuineStillWorksAsync(endpoint, genuine);
    }

    private Task<HttpResponseMessage> SendAsync(string endpoint, string token) => endpoint switch
    {
        "/logout" => target.PostAsync("/logout", new JsonObject { ["refreshToken"] = token }.ToJsonString()),
        "/introspect" => target.PostAsync("/introspect", new JsonObject { ["accessToken"] = token }.ToJsonString()),
        _ => target.GetAsync(endpoint, $"Bearer {token}"),
    };

    private async Task AssertGenuineStillWorksAsync(string endpoint, string genuine)
    {
        var response = await SendAsync(endpoint, genuine);
        switch (endpoint)
        {
            case "/logout":
                await SessionAssert.LogoutAsync(response, revoked: true);
                break;
            case "/introspect":
                await SessionAssert.StatusAsync(response, "active");
                break;
            default:
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                break;
        }
    }

    private async Task<string> ForgeAsync(string attack, string genuine, IssuedTestSession session, Connect.Testing.Seeding.TestApplication other)
    {
        var key = (await target.Services.GetRequiredService<ICurrentSigningKey>()
            .GetCurrentSigningKeyAsync(session.App.Id, target.Clock.GetUtcNow().AddHours(1), CancellationToken.None))!;
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(ClientJwtTampering.Segment(genuine, 0)))!.AsObject();
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(ClientJwtTampering.Segment(genuine, 1)))!.AsObject();
        string Signed() => ClientJwtTampering.SignRaw(
            key.PrivateKey, Encoding.UTF8.GetBytes(header.ToJsonString()), Encoding.UTF8.GetBytes(payload.ToJsonString()));
        string SignedText(string headerJson, string payloadJson) =>
            ClientJwtTampering.SignRaw(key.PrivateKey, Encoding.UTF8.GetBytes(headerJson), Encoding.UTF8.GetBytes(payloadJson));

        switch (attack)
        {
            case "alg none":
                header["alg"] = "none";
                return $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{ClientJwtTampering.Segment(genuine, 1)}.";
            case "alg HS256 keyed with the public key":
            {
                // The classic confusion: a verifier that takes alg from the token would check this HMAC with the
                // public key's bytes, which anyone can fetch from the JWKS.
                header["alg"] = "HS256";
                var input = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{ClientJwtTampering.Segment(genuine, 1)}";
                var mac = HMACSHA256.HashData(key.PrivateKey.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(input));
                return $"{input}.{Base64Url.EncodeToString(mac)}";
            }

            case "alg RS512":
                header["alg"] = "RS512";
                return Signed();
            case "embedded jwk":
                header["jwk"] = new JsonObject { ["kty"] = "RSA", ["n"] = "AQAB", ["e"] = "AQAB" };
                return Signed();
            case "jku header":
                header["jku"] = "https://attacker.example/jwks.json";
                return Signed();
            case "kid traversal":
                header["kid"] = "../../../etc/passwd";
                return Signed();
            case "duplicate sid":
                return SignedText(header.ToJsonString(), "{\"sid\":\"attacker\"," + payload.ToJsonString()[1..]);
            case "exp as string":
                payload["exp"] = payload["exp"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Signed();
            case "exp fractional":
                payload["exp"] = payload["exp"]!.GetValue<long>() + 0.5;
                return Signed();
            case "extra claim":
                payload["scope"] = "admin";
                return Signed();
            case "missing sid":
                payload.Remove("sid");
                return Signed();
            case "padded payload":
            {
                var segment = ClientJwtTampering.Segment(genuine, 1);
                return segment.Length % 4 == 0
                    ? ClientJwtTampering.WithSegment(genuine, 1, segment + "====")
                    : ClientJwtTampering.WithSegment(genuine, 1, segment + new string('=', 4 - (segment.Length % 4)));
            }

            case "standard alphabet signature":
            {
                var standard = Convert.ToBase64String(Base64Url.DecodeFromChars(ClientJwtTampering.Segment(genuine, 2)));
                return ClientJwtTampering.WithSegment(genuine, 2, standard);
            }

            case "nested JSON":
                return SignedText(header.ToJsonString(), payload.ToJsonString()[..^1] + ",\"x\":" + new string('[', 200) + new string(']', 200) + "}");
            case "other kind's typ":
                header["typ"] = (string)header["typ"]! == "vnd.sudomimus.application-access+jwt"
                    ? "vnd.sudomimus.application-refresh+jwt"
                    : "vnd.sudomimus.application-access+jwt";
                return Signed();
            case "NUL in sid":
                payload["sid"] = "a\0b";
                return Signed();
            case "two segments":
                return $"{ClientJwtTampering.Segment(genuine, 0)}.{ClientJwtTampering.Segment(genuine, 1)}";
            case "empty signature":
                return ClientJwtTampering.WithSegment(genuine, 2, "");
            case "forged signature":
                return SessionEndpoints.ForgeSignature(genuine);
            case "payload changed after signing":
                payload["sid"] = "another-session";
                return ClientJwtTampering.WithSegment(
                    genuine, 1, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString())));
            case "another token's signature":
            {
                var another = await target.IssueAsync(session.App);
                var donor = genuine == session.RefreshToken ? another.RefreshToken : another.AccessToken;
                return ClientJwtTampering.WithSegment(genuine, 2, ClientJwtTampering.Segment(donor, 2));
            }

            case "unknown kid":
                header["kid"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
                return Signed();
            case "another application's aud under this key":
                payload["aud"] = other.Anchor.Value;
                return Signed();
            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, null);
        }
    }
}
