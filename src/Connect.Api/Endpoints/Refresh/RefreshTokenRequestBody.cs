namespace Connect.Api.Endpoints.Refresh;

/// <summary>The wire form of <c>POST /refresh</c> and <c>POST /logout</c>: one JSON object whose <c>refreshToken</c> is a string.</summary>
internal sealed record RefreshTokenRequestBody([property: JsonPropertyName("refreshToken")] string? RefreshToken)
{
    public static Outcome<RefreshTokenRequestBody> Parse(ReadOnlyMemory<byte> body) => StrictRequestJson.Parse<RefreshTokenRequestBody>(body);
}
