using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Connect.Testing.ClientJwts;

namespace Connect.Api.Tests.SignIn;

/// <summary>
/// A client of the sign-in endpoints written from the contract, sending what the official Sudomimus.Connect 4.0.0
/// C# client sends: the request serialized once with System.Text.Json (camelCase members named explicitly, members
/// that are null left out), posted as <c>application/json; charset=utf-8</c> with <c>Accept: application/json</c>;
/// for <c>/establish</c> those exact bytes hashed into the client JWT's <c>body_sha256</c> and the JWT sent as
/// <c>Authorization: SudomimusClientJWT</c>. Answers are read case-insensitively; the status poll's answer is a union
/// whose discriminator <c>status</c> must come first.
/// </summary>
public sealed class SignInClient(HttpClient http, Func<DateTimeOffset> clock)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize<T>(T body) => JsonSerializer.SerializeToUtf8Bytes(body, Json);

    public Task<HttpResponseMessage> EstablishAsync(string anchor, RSA key, EstablishBody body) =>
        EstablishRawAsync(anchor, key, Serialize(body));

    /// <summary>Exactly these bytes, signed as the client signs them (then tampered, if asked).</summary>
    public Task<HttpResponseMessage> EstablishRawAsync(string anchor, RSA key, byte[] body, Action<TestClientJwt>? tamper = null)
    {
        var jwt = new TestClientJwt(anchor, key, clock(), body);
        // The client's default lifetime.
        jwt.Payload["exp"] = clock().ToUnixTimeSeconds() + 30;
        tamper?.Invoke(jwt);
        return PostAsync("/establish", body, jwt.AuthorizationHeader());
    }

    public Task<HttpResponseMessage> StatusPollAsync(string exposureKey, string hiddenKey) =>
        PostAsync("/status-poll", Serialize(new StatusPollBody(exposureKey, hiddenKey)));

    public Task<HttpResponseMessage> RedeemAsync(string exposureKey, string hiddenKey, string confirmationKey) =>
        PostAsync("/redeem", Serialize(new RedeemBody(exposureKey, hiddenKey, confirmationKey)));

    public Task<HttpResponseMessage> InfoAsync(string anchor, string locale = "en-US") =>
        PostAsync("/info", Serialize(new InfoBody(anchor, locale)));

    public async Task<HttpResponseMessage> PostAsync(string route, byte[] body, string? authorization = null, string contentType = "application/json; charset=utf-8")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Accept.ParseAdd("application/json");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await http.SendAsync(request);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize<T>(await response.Content.ReadAsStringAsync(), Json)!;
    }
}

public sealed record EstablishBody(
    [property: JsonPropertyName("applicationAnchor")] string ApplicationAnchor,
    [property: JsonPropertyName("authenticationConstraints")] IReadOnlyList<AuthenticationConstraint>? AuthenticationConstraints = null,
    [property: JsonPropertyName("realizeConstraints")] IReadOnlyList<RealizeConstraint>? RealizeConstraints = null,
    [property: JsonPropertyName("returnMethods")] IReadOnlyList<ReturnMethod>? ReturnMethods = null);

public sealed record AuthenticationConstraint(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("payload")] EmptyPayload Payload,
    [property: JsonPropertyName("accessTokenTtlSeconds")] int? AccessTokenTtlSeconds = null,
    [property: JsonPropertyName("refreshTokenTtlSeconds")] int? RefreshTokenTtlSeconds = null)
{
    public static AuthenticationConstraint Passkey { get; } = new("PASSKEY_USERNAMELESS", new EmptyPayload());
}

public sealed record RealizeConstraint(
    [property: JsonPropertyName("constraintType")] string ConstraintType,
    [property: JsonPropertyName("payload")] SectorSubjectPayload Payload,
    [property: JsonPropertyName("accessTokenTtlSeconds")] int? AccessTokenTtlSeconds = null,
    [property: JsonPropertyName("refreshTokenTtlSeconds")] int? RefreshTokenTtlSeconds = null);

public sealed record SectorSubjectPayload(
    [property: JsonPropertyName("allowedSectorSubjects")] IReadOnlyList<string>? AllowedSectorSubjects = null);

/// <summary>A union on <c>type</c>, discriminator first, as the client writes it.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CallbackReturn), "CALLBACK")]
[JsonDerivedType(typeof(StatusPollReturn), "STATUS_POLL")]
public abstract record ReturnMethod;

public sealed record CallbackReturn([property: JsonPropertyName("payload")] CallbackPayload Payload) : ReturnMethod;

public sealed record CallbackPayload([property: JsonPropertyName("callbackUrl")] string CallbackUrl);

public sealed record StatusPollReturn : ReturnMethod
{
    [JsonPropertyName("payload")]
    public EmptyPayload Payload { get; init; } = new();
}

public sealed record EmptyPayload;

public sealed record EstablishAnswer(string ApplicationAnchor, string ExposureKey, string HiddenKey);

public sealed record StatusPollBody(
    [property: JsonPropertyName("exposureKey")] string ExposureKey,
    [property: JsonPropertyName("hiddenKey")] string HiddenKey);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "status")]
[JsonDerivedType(typeof(Pending), "PENDING")]
[JsonDerivedType(typeof(Realized), "REALIZED")]
public abstract record StatusPollAnswer;

public sealed record Pending : StatusPollAnswer;

public sealed record Realized([property: JsonPropertyName("confirmationKey")] string ConfirmationKey) : StatusPollAnswer;

public sealed record RedeemBody(
    [property: JsonPropertyName("exposureKey")] string ExposureKey,
    [property: JsonPropertyName("hiddenKey")] string HiddenKey,
    [property: JsonPropertyName("confirmationKey")] string ConfirmationKey);

public sealed record RedeemAnswer(string ApplicationAnchor, string RefreshToken, string AccessToken);

public sealed record InfoBody(
    [property: JsonPropertyName("applicationAnchor")] string ApplicationAnchor,
    [property: JsonPropertyName("locale")] string Locale);

public sealed record InfoAnswer(string ApplicationAnchor, string ApplicationName, string ApplicationPublicKey);
