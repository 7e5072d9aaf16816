namespace Connect.Api.Endpoints.StatusPoll;

/// <summary>The wire form of <c>POST /status-poll</c>.</summary>
internal sealed record StatusPollRequestBody(
    [property: JsonPropertyName("exposureKey")] string? ExposureKey,
    [property: JsonPropertyName("hiddenKey")] string? HiddenKey)
{
    public static Outcome<StatusPollRequestBody> Parse(ReadOnlyMemory<byte> body) => SignInRequestJson.Parse<StatusPollRequestBody>(body);
}
