using System.Text.Json;
using System.Text.Json.Serialization;
using Connect.Domain.Outcomes;

namespace Connect.Api.Requests;

/// <summary>The wire form of <c>POST /refresh</c> and <c>POST /logout</c>: one JSON object whose <c>refreshToken</c> is a string.</summary>
internal sealed record RefreshTokenRequestBody([property: JsonPropertyName("refreshToken")] string? RefreshToken)
{
    public static Outcome<RefreshTokenRequestBody> Parse(ReadOnlySpan<byte> body) => StrictRequestJson.Parse<RefreshTokenRequestBody>(body);
}

/// <summary>The wire form of <c>POST /introspect</c>: one JSON object whose <c>accessToken</c> is a string.</summary>
internal sealed record IntrospectRequestBody([property: JsonPropertyName("accessToken")] string? AccessToken)
{
    public static Outcome<IntrospectRequestBody> Parse(ReadOnlySpan<byte> body) => StrictRequestJson.Parse<IntrospectRequestBody>(body);
}

/// <summary>
/// The body rules of the session-token endpoints, as <see cref="RevokeAllRequestBody"/>'s: one JSON object,
/// unknown members ignored, the member a string; anything else is <see cref="ReasonCode.InvalidBody"/>.
/// </summary>
internal static class StrictRequestJson
{
    private static readonly JsonSerializerOptions Strict = new()
    {
        // Two tokens in one body is ambiguous: refuse rather than pick one.
        AllowDuplicateProperties = false,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    public static Outcome<T> Parse<T>(ReadOnlySpan<byte> body)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Strict) is { } parsed ? parsed : ReasonCode.InvalidBody;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // The parser's message never leaves the process.
            return ReasonCode.InvalidBody;
        }
    }
}
