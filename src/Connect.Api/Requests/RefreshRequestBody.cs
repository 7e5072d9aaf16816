using System.Text.Json;
using System.Text.Json.Serialization;
using Connect.Domain.Outcomes;

namespace Connect.Api.Requests;

/// <summary>
/// The wire form of <c>POST /refresh</c>: one JSON object whose <c>refreshToken</c> is a string. Unknown members
/// are ignored (SESSIONS.md step 2); everything else that is not that shape is <see cref="ReasonCode.InvalidBody"/>.
/// </summary>
internal sealed record RefreshRequestBody([property: JsonPropertyName("refreshToken")] string? RefreshToken)
{
    private static readonly JsonSerializerOptions Strict = new()
    {
        // Two tokens in one body is ambiguous: refuse rather than pick one.
        AllowDuplicateProperties = false,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    public static Outcome<RefreshRequestBody> Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<RefreshRequestBody>(body, Strict) is { } parsed
                ? parsed
                : ReasonCode.InvalidBody;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // The parser's message never leaves the process.
            return ReasonCode.InvalidBody;
        }
    }
}
