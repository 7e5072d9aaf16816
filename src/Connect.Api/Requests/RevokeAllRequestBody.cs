using System.Text.Json;
using System.Text.Json.Serialization;
using Connect.Domain.Outcomes;

namespace Connect.Api.Requests;

/// <summary>
/// The wire form of <c>POST /revoke-all</c>: one JSON object whose <c>subject</c> is a string. Unknown
/// members are ignored; everything else that is not that shape is <see cref="ReasonCode.InvalidBody"/>.
/// </summary>
internal sealed record RevokeAllRequestBody([property: JsonPropertyName("subject")] string? Subject)
{
    private static readonly JsonSerializerOptions Strict = new()
    {
        // Two subjects in one body is ambiguous: refuse rather than pick one.
        AllowDuplicateProperties = false,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    public static Outcome<RevokeAllRequestBody> Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<RevokeAllRequestBody>(body, Strict) is { } parsed
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
