namespace Connect.Api.Endpoints.Redeem;

/// <summary>The wire form of <c>POST /redeem</c>.</summary>
internal sealed record RedeemRequestBody(
    [property: JsonPropertyName("exposureKey")] string? ExposureKey,
    [property: JsonPropertyName("hiddenKey")] string? HiddenKey,
    [property: JsonPropertyName("confirmationKey")] string? ConfirmationKey)
{
    public static Outcome<RedeemRequestBody> Parse(ReadOnlyMemory<byte> body) => SignInRequestJson.Parse<RedeemRequestBody>(body);
}
