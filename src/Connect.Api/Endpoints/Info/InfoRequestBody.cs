namespace Connect.Api.Endpoints.Info;

/// <summary>The wire form of <c>POST /info</c>.</summary>
internal sealed record InfoRequestBody(
    [property: JsonPropertyName("applicationAnchor")] string? ApplicationAnchor,
    [property: JsonPropertyName("locale")] string? Locale)
{
    public static Outcome<InfoRequestBody> Parse(ReadOnlyMemory<byte> body) => SignInRequestJson.Parse<InfoRequestBody>(body);
}
