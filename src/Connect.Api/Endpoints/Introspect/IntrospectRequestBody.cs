namespace Connect.Api.Endpoints.Introspect;

/// <summary>The wire form of <c>POST /introspect</c>: one JSON object whose <c>accessToken</c> is a string.</summary>
internal sealed record IntrospectRequestBody([property: JsonPropertyName("accessToken")] string? AccessToken)
{
    public static Outcome<IntrospectRequestBody> Parse(ReadOnlyMemory<byte> body) => StrictRequestJson.Parse<IntrospectRequestBody>(body);
}
