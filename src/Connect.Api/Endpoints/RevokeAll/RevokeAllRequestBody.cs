namespace Connect.Api.Endpoints.RevokeAll;

/// <summary>
/// The wire form of <c>POST /revoke-all</c>: one JSON object whose <c>subject</c> is a string. Unknown
/// members are ignored; everything else that is not that shape is <see cref="ReasonCode.InvalidBody"/>.
/// </summary>
internal sealed record RevokeAllRequestBody([property: JsonPropertyName("subject")] string? Subject)
{
    // Two subjects in one body is ambiguous: the strict reader refuses it rather than pick one.
    public static Outcome<RevokeAllRequestBody> Parse(ReadOnlyMemory<byte> body) => StrictRequestJson.Parse<RevokeAllRequestBody>(body);
}
