using System.Net;
using System.Text;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.RevokeAll;

/// <summary>Each rejection of the contract through real HTTP: status, reason, and nothing changed.</summary>
public sealed class RevokeAllRejectionTests : IAsyncLifetime
{
    private readonly ConnectApi _api = new(new ConnectApiOptions { Settings = new Dictionary<string, string?> { ["Connect:RateLimit:BurstLimit"] = "1000" } });
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

    public static TheoryData<string> InvalidBodies => new()
    {
        "",
        "not json",
        "[]",
        "\"subject\"",
        "null",
        "42",
        "{}",
        """{"subject":null}""",
        """{"subject":42}""",
        """{"subject":true}""",
        """{"subject":["a"]}""",
        """{"subject":{"id":"a"}}""",
        """{"subject":""}""",
        """{"subject":"a","subject":"b"}""",
        """{"Subject":"a"}""",
        """{"subject":"a"} trailing""",
        """{"subject":"a"}{"subject":"b"}""",
        """{"subject":"a",}""",
        "{\"subject\":\"" + new string('s', 256) + "\"}",
        """{"subject":"nul\u0000inside"}""",
        """{"subject":"\ud800"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_body_is_400_InvalidBody_with_no_parser_detail(string body)
    {
        var response = await _api.RevokeAllAsync(_app, Encoding.UTF8.GetBytes(body));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
        Assert.Equal(new(2, 0, 0), await _api.Db.CountSessionsAsync(_account, _app.Id));
    }

    [Fact]
    public async Task Invalid_utf8_is_400_InvalidBody()
    {
        byte[] body = [.. """{"subject":"""u8, (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];

        var response = await _api.RevokeAllAsync(_app, body);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
    }

    [Fact]
    public async Task Unknown_extra_properties_are_ignored()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"extra":{"deep":[1,2,3]},"subject":"{{_subject}}","more":null}""");

        var response = await _api.RevokeAllAsync(_app, body);

        await ApiAssert.RevokedAsync(response, 2);
    }

    [Fact]
    public async Task Missing_authorization_is_401_ClientJwtMissing_with_WWW_Authenticate()
    {
        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(null, RevokeAllBodies.For(_subject)));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtMissing");
    }

    [Fact]
    public async Task Bearer_scheme_is_401_ClientJwtMissing()
    {
        var response = await _api.Client.SendAsync(ConnectApiFactory.Request("Bearer abc.def.ghi", RevokeAllBodies.For(_subject)));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtMissing");
    }

    [Fact]
    public async Task Scheme_name_is_case_insensitive()
    {
        var body = RevokeAllBodies.For(_subject);
        var token = new TestClientJwt(_app.Anchor.Value, _app.Key, DateTimeOffset.UtcNow, body).Sign();

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request($"sudomimusclientjwt {token}", body));

        await ApiAssert.RevokedAsync(response, 2);
    }

    [Fact]
    public async Task Garbage_token_is_401_ClientJwtMalformed()
    {
        var response = await _api.Client.SendAsync(
            ConnectApiFactory.Request("SudomimusClientJWT not-a-jws", RevokeAllBodies.For(_subject)));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtMalformed");
    }

    [Fact]
    public async Task Alg_none_is_401_ClientJwtAlgorithmRejected()
    {
        var response = await _api.RevokeAllAsync(_app, _subject, jwt => jwt.Header["alg"] = "none");

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtAlgorithmRejected");
    }

    [Fact]
    public async Task Unknown_issuer_is_401_ClientJwtUnknownApplication()
    {
        var response = await _api.RevokeAllAsync(_app, _subject, jwt => jwt.Payload["iss"] = "nobody-registered-this");

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtUnknownApplication");
    }

    [Fact]
    public async Task Other_audience_is_401_ClientJwtAudienceMismatch()
    {
        var response = await _api.RevokeAllAsync(_app, _subject, jwt => jwt.Payload["aud"] = "someone-else");

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtAudienceMismatch");
    }

    [Fact]
    public async Task Expired_token_is_401_ClientJwtExpired()
    {
        var past = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();

        var response = await _api.RevokeAllAsync(_app, _subject, jwt => { jwt.Payload["iat"] = past; jwt.Payload["exp"] = past + 60; });

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtExpired");
    }

    [Fact]
    public async Task Token_from_the_future_is_401_ClientJwtNotYetValid()
    {
        var future = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        var response = await _api.RevokeAllAsync(_app, _subject, jwt => { jwt.Payload["iat"] = future; jwt.Payload["exp"] = future + 60; });

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtNotYetValid");
    }

    [Fact]
    public async Task Long_lived_token_is_401_ClientJwtLifetimeTooLong()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var response = await _api.RevokeAllAsync(_app, _subject, jwt => jwt.Payload["exp"] = now + 3600);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtLifetimeTooLong");
    }

    [Fact]
    public async Task Oversized_body_is_413_BodyTooLarge_before_authentication()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"subject":"{{new string('s', 5000)}}"}""");

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(null, body));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/jsonx")]
    public async Task Other_media_type_is_415_UnsupportedMediaType_before_authentication(string contentType)
    {
        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(null, RevokeAllBodies.For(_subject), contentType));

        await ApiAssert.ReasonAsync(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON; charset=\"UTF-8\"")]
    public async Task Json_with_utf8_charset_is_accepted(string contentType)
    {
        var body = RevokeAllBodies.For(_subject);
        var header = new TestClientJwt(_app.Anchor.Value, _app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader();

        var response = await _api.Client.SendAsync(ConnectApiFactory.Request(header, body, contentType));

        await ApiAssert.RevokedAsync(response, 2);
    }

    [Fact]
    public async Task Content_encoding_is_415_UnsupportedMediaType()
    {
        var request = ConnectApiFactory.Request(null, RevokeAllBodies.For(_subject));
        request.Content!.Headers.ContentEncoding.Add("gzip");

        var response = await _api.Client.SendAsync(request);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }

    [Fact]
    public async Task Unknown_path_is_an_empty_404_and_other_methods_an_empty_405()
    {
        var client = _api.NewClient();

        var unknown = await client.GetAsync("/nothing-here");
        var get = await client.GetAsync("/revoke-all");
        var delete = await client.DeleteAsync("/revoke-all");

        await ApiAssert.EmptyAsync(unknown, HttpStatusCode.NotFound);
        await ApiAssert.EmptyAsync(get, HttpStatusCode.MethodNotAllowed);
        await ApiAssert.EmptyAsync(delete, HttpStatusCode.MethodNotAllowed);
    }
}
