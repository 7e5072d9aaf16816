using System.Net;
using System.Security.Cryptography;
using System.Text;
using Connect.Testing.ClientJwts;

namespace Connect.Api.Tests.SignIn;

/// <summary>Every refusal of <c>POST /establish</c>, each leaving the database as it was.</summary>
public sealed class EstablishRejectionTests(SignInEndpoints api) : IClassFixture<SignInEndpoints>
{
    private const string Anchor = "{ANCHOR}";

    public static TheoryData<string> InvalidBodies => new()
    {
        "",
        "null",
        "[]",
        "\"text\"",
        "{}",
        """{"applicationAnchor":null}""",
        """{"applicationAnchor":""}""",
        """{"applicationAnchor":7}""",
        """{"applicationAnchor":["{ANCHOR}"]}""",
        """{"applicationAnchor":"{ANCHOR}","unknown":1}""",
        """{"applicationAnchor":"{ANCHOR}","ApplicationAnchor":"{ANCHOR}"}""",
        """{"applicationAnchor":"{ANCHOR}","applicationAnchor":"{ANCHOR}"}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":{}}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[null]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS"}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":null}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":[]}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{"allowUsernameless":true}}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"passkey_usernameless","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":7,"payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"extra":1}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"accessTokenTtlSeconds":59}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"accessTokenTtlSeconds":604801}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"accessTokenTtlSeconds":"600"}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"accessTokenTtlSeconds":600.5}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"refreshTokenTtlSeconds":86399}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"refreshTokenTtlSeconds":31536001}]}""",
        """{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{},"refreshTokenTtlSeconds":99999999999}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":[]}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":[""]}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":[7]}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":"abc"}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":["a\u0000b"]}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":["a"],"more":1}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"EVERYONE","payload":{"allowedSectorSubjects":["a"]}}]}""",
        """{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"NOBODY","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"CALLBACK","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"CALLBACK","payload":{"callbackUrl":7}}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"STATUS_POLL","payload":{"callbackUrl":"https://shop.example/"}}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"STATUS_POLL"}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"STATUS_POLL","payload":{}},{"type":"STATUS_POLL","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"CARRIER_PIGEON","payload":{}}]}""",
        """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"payload":{},"type":"STATUS_POLL","x":1}]}""",
    };

    public static TheoryData<string> RejectedCallbackUrls => new()
    {
        "http://shop.example/signed-in",
        "ftp://shop.example/signed-in",
        "https://evil.test/signed-in",
        "https://shop.example.evil.test/signed-in",
        "https://evil.test/shop.example",
        "https://shop.example@evil.test/signed-in",
        "https://user:pass@shop.example/signed-in",
        "https://shop.example:443@evil.test/",
        "https://evil.test\\@shop.example/",
        "https://evil.test#@shop.example/",
        "https://shop.example%2eevil.test/",
        "https://sub.shop.example/",
        "https://shopexample/",
        "https:shop.example/signed-in",
        "//shop.example/signed-in",
        "/signed-in",
        "https://shop.example/signed in",
        "https://shop.example/\u00e9",
        "javascript:alert(1)//shop.example",
        "https://shop.example/" + new string('a', 2048 - 20),
    };

    private static byte[] Body(string template, string anchor) => Encoding.UTF8.GetBytes(template.Replace(Anchor, anchor, StringComparison.Ordinal));

    private async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason, string before)
    {
        await SignInAssert.ReasonAsync(response, status, reason);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Malformed_bodies_are_InvalidBody(string template)
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(template, app.Anchor.Value));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidBody", before);
    }

    [Fact]
    public async Task Too_many_entries_are_InvalidBody()
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();
        var passkey = """{"method":"PASSKEY_USERNAMELESS","payload":{}}""";
        var everyone = """{"constraintType":"EVERYONE","payload":{}}""";
        var subjects = string.Join(',', Enumerable.Range(0, 257).Select(i => $"\"s{i}\""));

        var authentication = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(
            $$"""{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{{string.Join(',', Enumerable.Repeat(passkey, 17))}}]}""", app.Anchor.Value));
        var realize = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(
            $$"""{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{{string.Join(',', Enumerable.Repeat(everyone, 17))}}]}""", app.Anchor.Value));
        var returns = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(
            """{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"STATUS_POLL","payload":{}},{"type":"CALLBACK","payload":{"callbackUrl":"https://shop.example/"}},{"type":"REVEAL","payload":{}},{"type":"OIDC","payload":{}}]}""", app.Anchor.Value));
        var manySubjects = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(
            $$$"""{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":[{{{subjects}}}]}}]}""", app.Anchor.Value));
        var longSubject = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(
            $$$"""{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"SECTOR_SUBJECT","payload":{"allowedSectorSubjects":["{{{new string('s', 256)}}}"]}}]}""", app.Anchor.Value));

        await AssertRefusedAsync(authentication, HttpStatusCode.BadRequest, "InvalidBody", before);
        await AssertRefusedAsync(realize, HttpStatusCode.BadRequest, "InvalidBody", before);
        await AssertRefusedAsync(returns, HttpStatusCode.BadRequest, "InvalidBody", before);
        await AssertRefusedAsync(manySubjects, HttpStatusCode.BadRequest, "InvalidBody", before);
        await AssertRefusedAsync(longSubject, HttpStatusCode.BadRequest, "InvalidBody", before);
    }

    [Fact]
    public async Task The_limits_themselves_are_accepted()
    {
        var app = await api.RegisterAsync();
        var passkey = """{"method":"PASSKEY_USERNAMELESS","payload":{},"accessTokenTtlSeconds":60,"refreshTokenTtlSeconds":31536000}""";
        var everyone = """{"constraintType":"EVERYONE","payload":{},"accessTokenTtlSeconds":604800,"refreshTokenTtlSeconds":86400}""";
        var url = "https://shop.example/" + new string('a', 2048 - 21);

        var response = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(
            $$$"""{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{{{string.Join(',', Enumerable.Repeat(passkey, 16))}}}],"realizeConstraints":[{{{string.Join(',', Enumerable.Repeat(everyone, 16))}}}],"returnMethods":[{"type":"STATUS_POLL","payload":{}},{"type":"CALLBACK","payload":{"callbackUrl":"{{{url}}}"}}]}""",
            app.Anchor.Value));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(RejectedCallbackUrls))]
    public async Task Callbacks_off_the_applications_hosts_are_CallbackUrlRejected(string url)
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishAsync(app.Anchor.Value, app.Key, new EstablishBody(
            app.Anchor.Value, ReturnMethods: [new CallbackReturn(new CallbackPayload(url))]));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "CallbackUrlRejected", before);
    }

    [Theory]
    [InlineData("https://shop.example/signed-in?order=7")]
    [InlineData("https://SHOP.example:8443/signed-in#done")]
    [InlineData("http://localhost:5000/cb")]
    [InlineData("http://127.0.0.1/cb")]
    public async Task Callbacks_to_the_applications_hosts_are_accepted(string url)
    {
        var app = await api.RegisterAsync();

        var response = await api.SignIn.EstablishAsync(app.Anchor.Value, app.Key, new EstablishBody(
            app.Anchor.Value, ReturnMethods: [new CallbackReturn(new CallbackPayload(url))]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_application_without_callback_hosts_takes_no_callback()
    {
        var app = await api.Db.RegisterApplicationAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishAsync(app.Anchor.Value, app.Key, new EstablishBody(
            app.Anchor.Value, ReturnMethods: [new CallbackReturn(new CallbackPayload("https://shop.example/"))]));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "CallbackUrlRejected", before);
    }

    [Theory]
    [InlineData("""{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"EMAIL_VERIFICATION","payload":{}}]}""")]
    [InlineData("""{"applicationAnchor":"{ANCHOR}","authenticationConstraints":[{"method":"PASSKEY_USERNAMELESS","payload":{}},{"method":"GITHUB_OAUTH","payload":{"allowedGitHubOrgs":[]}}]}""")]
    [InlineData("""{"applicationAnchor":"{ANCHOR}","realizeConstraints":[{"constraintType":"EMAIL","payload":{"allowedEmails":["*@shop.example"]}}]}""")]
    [InlineData("""{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"REVEAL","payload":{}}]}""")]
    [InlineData("""{"applicationAnchor":"{ANCHOR}","returnMethods":[{"type":"OIDC","payload":{}}]}""")]
    public async Task Methods_the_upstream_spec_names_but_this_service_lacks_are_MethodUnavailable(string template)
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishRawAsync(app.Anchor.Value, app.Key, Body(template, app.Anchor.Value));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "MethodUnavailable", before);
    }

    [Fact]
    public async Task Another_applications_anchor_is_ApplicationAnchorMismatch()
    {
        var app = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishAsync(app.Anchor.Value, app.Key, new EstablishBody(other.Anchor.Value));

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "ApplicationAnchorMismatch", before);
    }

    [Fact]
    public async Task A_disabled_application_is_ApplicationDisabled()
    {
        var app = await api.RegisterAsync();
        await api.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishAsync(app.Anchor.Value, app.Key, new EstablishBody(app.Anchor.Value));

        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "ApplicationDisabled", before);
    }

    [Fact]
    public async Task A_client_jwt_signed_by_another_key_is_refused()
    {
        var app = await api.RegisterAsync();
        using var forger = RSA.Create(2048);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishAsync(app.Anchor.Value, forger, new EstablishBody(app.Anchor.Value));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "ClientJwtInvalidSignature", before);
    }

    [Fact]
    public async Task A_replayed_client_jwt_is_refused_and_opens_no_second_inquiry()
    {
        var app = await api.RegisterAsync();
        var body = SignInClient.Serialize(new EstablishBody(app.Anchor.Value));
        var authorization = new TestClientJwt(app.Anchor.Value, app.Key, api.Clock.GetUtcNow(), body).AuthorizationHeader();

        var first = await api.SignIn.PostAsync("/establish", body, authorization);
        var before = await api.SnapshotAsync();
        var replay = await api.SignIn.PostAsync("/establish", body, authorization);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertRefusedAsync(replay, HttpStatusCode.Unauthorized, "ClientJwtReplayed", before);
    }

    [Fact]
    public async Task A_client_jwt_over_another_body_is_refused()
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishRawAsync(
            app.Anchor.Value, app.Key, SignInClient.Serialize(new EstablishBody(app.Anchor.Value)),
            jwt => jwt.Payload["body_sha256"] = TestClientJwt.BodySha256("{}"u8));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "ClientJwtBodyHashMismatch", before);
    }

    [Fact]
    public async Task A_session_generation_client_jwt_is_ClientJwtAudienceMismatch()
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.EstablishRawAsync(
            app.Anchor.Value, app.Key, SignInClient.Serialize(new EstablishBody(app.Anchor.Value)),
            jwt => jwt.Payload["aud"] = "sudomimus-session");

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "ClientJwtAudienceMismatch", before);
    }

    [Fact]
    public async Task Without_a_client_jwt_nothing_is_told()
    {
        var app = await api.RegisterAsync();
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.PostAsync("/establish", SignInClient.Serialize(new EstablishBody(app.Anchor.Value)));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "ClientJwtMissing", before);
    }
}
