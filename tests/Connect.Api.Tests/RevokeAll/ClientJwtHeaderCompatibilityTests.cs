using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.RevokeAll;

/// <summary>
/// contract/revoke-all.md's header rules through real HTTP, with the headers the official clients really send: the
/// Python clients' <c>{}</c> and the TypeScript clients' extra <c>iat</c> revoke; what the contract refuses is refused
/// with the same reason as before, and revokes nothing.
/// </summary>
public sealed class ClientJwtHeaderCompatibilityTests : IAsyncLifetime
{
    private readonly ConnectApi _api = new();
    private Domain.Accounts.AccountId _account;
    private string _subject = null!;

    private TestApplication _app => _api.App;

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();
        (_account, var subject) = await _api.Db.CreateAccountWithSubjectAsync(_app.Sector);
        _subject = subject.Value;
        await _api.Db.IssueSessionsAsync(_account, _app.Id, 2);
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Empty_header_signed_RS256_as_the_Python_clients_send_it_revokes()
    {
        var response = await _api.RevokeAllAsync(_app, _subject, jwt => jwt.RawHeaderJson = "{}");

        await ApiAssert.RevokedAsync(response, 2);
        Assert.Equal(new(0, 2, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }

    [Fact]
    public async Task Empty_header_with_the_Session_audience_gets_the_Session_answer()
    {
        // The Python Session client: header {}, aud sudomimus-session.
        var response = await _api.RevokeAllAsync(_app, _subject, jwt =>
        {
            jwt.RawHeaderJson = "{}";
            jwt.Payload["aud"] = "sudomimus-session";
        });

        Assert.Equal((HttpStatusCode.OK, """{"revoked":true}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal(new(0, 2, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }

    [Fact]
    public async Task Header_with_the_iat_in_milliseconds_the_TypeScript_clients_add_revokes()
    {
        // @sudoo/jwt's creator writes {"alg":"RS256","typ":"JWT","iat":<Date.now()>} whatever header it is given.
        var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var response = await _api.RevokeAllAsync(
            _app, _subject, jwt => jwt.RawHeaderJson = $$"""{"alg":"RS256","typ":"JWT","iat":{{milliseconds}}}""");

        await ApiAssert.RevokedAsync(response, 2);
        Assert.Equal(new(0, 2, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }

    [Fact]
    public async Task Header_with_members_of_its_own_revokes()
    {
        var response = await _api.RevokeAllAsync(_app, _subject, jwt =>
        {
            jwt.Header["iat"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            jwt.Header["cty"] = "JWT";
            jwt.Header["x-vendor"] = new JsonObject { ["sdk"] = "typescript", ["version"] = new JsonArray(4, 0) };
        });

        await ApiAssert.RevokedAsync(response, 2);
    }

    [Theory]
    [InlineData("""{"alg":"none"}""", "empty")]
    [InlineData("""{"alg":"none","typ":"JWT"}""", "rs256")]
    [InlineData("""{"alg":"HS256","typ":"JWT"}""", "hs256")]
    [InlineData("""{"alg":"HS256","typ":"JWT","iat":1}""", "rs256")]
    [InlineData("""{"alg":"RS512","typ":"JWT"}""", "rs512")]
    public async Task Present_alg_other_than_RS256_is_still_ClientJwtAlgorithmRejected(string header, string signature)
    {
        var body = RevokeAllBodies.For(_subject);
        var jwt = new TestClientJwt(_app.Anchor.Value, _app.Key, DateTimeOffset.UtcNow, body) { RawHeaderJson = header };
        var publicKey = _app.Key.ExportSubjectPublicKeyInfo();
        var token = jwt.WithSignature(input => signature switch
        {
            "empty" => [],
            "hs256" => HMACSHA256.HashData(publicKey, input),
            "rs512" => _app.Key.SignData(input, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            _ => _app.Key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        });

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request($"SudomimusClientJWT {token}", body));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtAlgorithmRejected");
        Assert.Equal(new(2, 0, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }

    [Theory]
    [InlineData("jku", "\"https://attacker.example/jwks.json\"", true)]
    [InlineData("jwk", """{"kty":"RSA","n":"AQAB","e":"AQAB"}""", true)]
    [InlineData("x5u", "\"https://attacker.example/cert.pem\"", true)]
    [InlineData("x5c", """["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]""", true)]
    [InlineData("crit", """["exp"]""", true)]
    [InlineData("jku", "\"https://attacker.example/jwks.json\"", false)]
    [InlineData("jwk", """{"kty":"RSA","n":"AQAB","e":"AQAB"}""", false)]
    [InlineData("x5u", "\"https://attacker.example/cert.pem\"", false)]
    [InlineData("crit", """["exp"]""", false)]
    public async Task Header_that_fetches_embeds_or_extends_is_still_ClientJwtMalformed(string name, string value, bool withAlg)
    {
        var response = await _api.RevokeAllAsync(_app, _subject, jwt =>
        {
            if (!withAlg)
            {
                jwt.Header.Remove("alg");
            }

            jwt.Header[name] = JsonNode.Parse(value);
        });

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtMalformed");
        Assert.Equal(new(2, 0, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }

    [Fact]
    public async Task Empty_header_signed_by_a_key_the_application_never_registered_is_ClientJwtInvalidSignature()
    {
        using var stranger = RSA.Create(2048);

        var response = await _api.RevokeAllAsync(_app, _subject, jwt =>
        {
            jwt.RawHeaderJson = "{}";
            jwt.Key = stranger;
        });

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature");
        Assert.Equal(new(2, 0, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }
}
