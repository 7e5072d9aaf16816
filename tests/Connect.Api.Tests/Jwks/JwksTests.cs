using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Api;
using Connect.Application.Administration.RegisterApplication;
using Connect.Application.Administration.RemoveSigningKey;
using Connect.Application.Administration.RotateSigningKey;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Testing.Seeding;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Jwks;

/// <summary><c>GET /applications/{anchor}/jwks.json</c> as docs/contract/sessions.md writes it.</summary>
public sealed class JwksTests : IAsyncLifetime
{
    private const int MaxAge = 120;

    private readonly string _kek = SigningKeyEncryption.NewKeyEncryptionKey();
    private readonly ConnectApi _api;
    private ServiceInstance _second = null!;

    public JwksTests() =>
        _api = new ConnectApi(new ConnectApiOptions
        {
            SeedApplication = false,
            Settings = new Dictionary<string, string?>
            {
                ["Connect:SigningKeys:KeyEncryptionKey"] = _kek,
                ["Connect:SigningKeys:JwksMaxAgeSeconds"] = MaxAge.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();
        _second = _api.StartInstance();
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Answers_the_key_set_with_exactly_six_members_per_key_and_public_caching()
    {
        var anchor = await RegisterAsync();

        var response = await GetAsync(_api.Service, anchor);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($"public, max-age={MaxAge}", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["keys"], json.RootElement.EnumerateObject().Select(member => member.Name));
        var key = Assert.Single(json.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(["kty", "n", "e", "kid", "use", "alg"], key.EnumerateObject().Select(member => member.Name));
        Assert.Equal(("RSA", "AQAB", "sig", "RS256"), (Text(key, "kty"), Text(key, "e"), Text(key, "use"), Text(key, "alg")));
        var n = Text(key, "n");
        Assert.DoesNotContain('=', n);
        Assert.Matches("^[A-Za-z0-9_-]+$", n);
        Assert.Equal(256, Base64Url.DecodeFromChars(n).Length);
        Assert.NotEqual(0, Base64Url.DecodeFromChars(n)[0]);
        var current = await CurrentKeyAsync(anchor);
        Assert.Equal(current.KeyId, Text(key, "kid"));
        Assert.Equal(
            SigningKeyFactory.Thumbprint(current.PrivateKey.ExportParameters(includePrivateParameters: false)), Text(key, "kid"));
    }

    [Fact]
    public async Task Key_built_from_n_and_e_alone_verifies_a_signature_made_with_the_private_key()
    {
        var anchor = await RegisterAsync();
        var signer = await CurrentKeyAsync(anchor);
        var data = Encoding.ASCII.GetBytes("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0");
        var signature = signer.PrivateKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var key = await SingleKeyAsync(_api.Service, anchor);
        using var verifier = RSA.Create(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(Text(key, "n")),
            Exponent = Base64Url.DecodeFromChars(Text(key, "e")),
        });

        Assert.True(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        signature[0] ^= 1;
        Assert.False(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task Unknown_anchor_is_404_ApplicationNotFound()
    {
        var response = await _api.GetAsync("/applications/no-such-app/jwks.json");

        await ApiAssert.ReasonAsync(response, HttpStatusCode.NotFound, "ApplicationNotFound");
    }

    [Fact]
    public async Task Anchor_is_percent_decoded_from_its_one_path_segment()
    {
        var anchor = await RegisterAsync($"https://app.example/{Guid.NewGuid():N} x");

        var response = await _api.GetAsync($"/applications/{Uri.EscapeDataString(anchor)}/jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Anchor_is_decoded_exactly_once_over_real_http()
    {
        // Kestrel keeps the raw request target: a literal "%2F" in an anchor (sent as %252F) stays itself.
        var anchor = await RegisterAsync($"https://app.example/{Guid.NewGuid():N}%2F");
        await using var service = ConnectWebApplication.Create([], builder =>
        {
            builder.Configuration["ConnectionStrings:Connect"] = _api.Db.ConnectionString;
            builder.Configuration["Connect:SigningKeys:KeyEncryptionKey"] = _kek;
            builder.Configuration["Urls"] = "http://127.0.0.1:0";
        });
        await service.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(service.Urls.First()) };

        var exact = await http.GetAsync($"/applications/{Uri.EscapeDataString(anchor)}/jwks.json");
        var decodedTwice = await http.GetAsync($"/applications/{anchor.Replace("/", "%2F", StringComparison.Ordinal)}/jwks.json");
        await service.StopAsync();

        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
        await ApiAssert.ReasonAsync(decodedTwice, HttpStatusCode.NotFound, "ApplicationNotFound");
    }

    [Fact]
    public async Task Unauthenticated_jwks_requests_cannot_make_the_service_generate_rsa_keys()
    {
        // An application registered before signing keys existed has none: anyone could make each GET generate one.
        var legacy = await _api.Db.RegisterApplicationAsync();

        var answers = new List<List<JsonElement>>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await KeysAsync(i % 2 == 0 ? _api.Service : _second, legacy.Anchor.Value));
        }

        Assert.All(answers, Assert.Empty);
        Assert.Empty(await _api.Db.Services.GetRequiredService<ISigningKeyStore>().LoadAsync(legacy.Id, CancellationToken.None) is { } set
            ? set.Keys
            : throw new InvalidOperationException("the application is gone"));
    }

    [Fact]
    public async Task Application_registered_before_signing_keys_is_published_once_issuance_gave_it_its_first_key()
    {
        var legacy = await _api.Db.RegisterApplicationAsync();

        var current = await CurrentKeyAsync(legacy.Anchor.Value);
        var key = await SingleKeyAsync(_api.Service, legacy.Anchor.Value);

        Assert.Equal(current.KeyId, Text(key, "kid"));
    }

    [Fact]
    public async Task Next_and_retiring_keys_are_published_up_to_32_newest_first()
    {
        var anchor = await RegisterAsync();
        var mediator = _api.Services.GetRequiredService<IMediator>();
        var rotated = new List<string>();
        for (var i = 1; i < SigningKeyLifecycle.MaxPublishedKeys; i++)
        {
            rotated.Add((await mediator.Send(new RotateSigningKeyCommand(anchor))).Value!.KeyId);
        }

        var refused = await mediator.Send(new RotateSigningKeyCommand(anchor));
        var keys = await KeysAsync(_api.Service, anchor);

        Assert.False(refused.Succeeded);
        Assert.Equal(32, keys.Count);
        Assert.Equal(rotated.AsEnumerable().Reverse(), keys.Take(31).Select(key => Text(key, "kid")));
    }

    [Fact]
    public async Task Removed_key_is_gone_from_every_instance_at_once()
    {
        var anchor = await RegisterAsync();
        var mediator = _api.Services.GetRequiredService<IMediator>();
        var next = (await mediator.Send(new RotateSigningKeyCommand(anchor))).Value!.KeyId;
        Assert.Equal(2, (await KeysAsync(_api.Service, anchor)).Count);
        Assert.Equal(2, (await KeysAsync(_second, anchor)).Count);

        await mediator.Send(new RemoveSigningKeyCommand(anchor, next));

        Assert.DoesNotContain(next, (await KeysAsync(_api.Service, anchor)).Select(key => Text(key, "kid")));
        Assert.DoesNotContain(next, (await KeysAsync(_second, anchor)).Select(key => Text(key, "kid")));
    }


    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;

    private static Task<HttpResponseMessage> GetAsync(ServiceInstance api, string anchor) =>
        api.Client.GetAsync($"/applications/{Uri.EscapeDataString(anchor)}/jwks.json");

    private static async Task<List<JsonElement>> KeysAsync(ServiceInstance api, string anchor)
    {
        var response = await GetAsync(api, anchor);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("keys").EnumerateArray().Select(key => key.Clone())];
    }

    private static async Task<JsonElement> SingleKeyAsync(ServiceInstance api, string anchor) => Assert.Single(await KeysAsync(api, anchor));

    private async Task<string> RegisterAsync(string? anchor = null)
    {
        anchor ??= $"app-{Guid.NewGuid():N}";
        using var client = RSA.Create(2048);
        var outcome = await _api.Services.GetRequiredService<IMediator>()
            .Send(new RegisterApplicationCommand(anchor, client.ExportSubjectPublicKeyInfoPem(), Sector: null));
        Assert.True(outcome.Succeeded, outcome.ToString());
        return anchor;
    }

    private async Task<Application.SessionTokens.TokenSigningKey> CurrentKeyAsync(string anchor)
    {
        var (id, _) = (await _api.Db.Applications.FindAsync(new ApplicationAnchor(anchor), CancellationToken.None))!.Value;
        return (await _api.Services.GetRequiredService<SigningKeyRing>()
            .GetCurrentSigningKeyAsync(id, DateTimeOffset.UtcNow.AddMinutes(15), CancellationToken.None))!;
    }
}
