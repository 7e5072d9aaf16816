namespace Connect.Api.Endpoints.Redeem;

/// <summary><c>POST /redeem</c> (docs/contract/sign-in.md): a realized inquiry becomes the session's first token pair, once.</summary>
public sealed class RedeemController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/redeem";

    /// <summary>
    /// Its ApplicationNotFound is the 400 one: here the application is part of the inquiry presented, not the resource
    /// asked for (docs/decisions.md).
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "redeem", typeof(RedeemResponse),
        [
            ReasonCode.InvalidBody, ReasonCode.InquiryNotFound, ReasonCode.InquiryAlreadyRedeemed,
            ReasonCode.InquiryExpired, ReasonCode.InquiryApplicationNotFound, ReasonCode.InquiryNotRealized,
            ReasonCode.ApplicationDisabled, ReasonCode.AccountNotFound, ReasonCode.AccountDeleted,
            ReasonCode.AccountDisabled,
        ])
    {
        Summary = "Redeem a realized inquiry for a session",
        Description =
            "Begins the signed-in account's session in the application (rotation version 1, its pairwise subject in the "
            + "application's sector) and answers its first access and refresh tokens. Exactly once: of concurrent redeems "
            + "of one inquiry, one gets the tokens and the rest InquiryAlreadyRedeemed.",
        Body = new EndpointBody(typeof(RedeemRequest), RefusesUnknownMembers: true),
        AnswerHeaders = AnswerHeaders.NoStoreNoCache,
        Budget = EndpointBudget.ClientAddress,
    };

    public Task<IActionResult> Redeem() => mediator.SendAsync(
        HttpContext,
        RedeemRequestBody.Parse,
        body => new RedeemCommand(body.ExposureKey, body.HiddenKey, body.ConfirmationKey),
        begun => JsonAnswer.AsResult(
            new RedeemResponse(begun.ApplicationAnchor, begun.AccessToken, begun.RefreshToken, RefreshController.ClaimStates.Unknown),
            RedeemJson.Default.RedeemResponse));

    public sealed record RedeemRequest(
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The inquiry's exposure key.")]
        string ExposureKey,
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The inquiry's hidden key.")]
        string HiddenKey,
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The confirmation key /status-poll or the callback received.")]
        string ConfirmationKey);

    /// <summary>The claims object exactly as <c>/refresh</c> answers it.</summary>
    public sealed record RedeemResponse(
        string ApplicationAnchor, string AccessToken, string RefreshToken, RefreshController.ClaimStates Claims);
}

/// <summary>The answers of RedeemController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RedeemController.RedeemResponse))]
internal sealed partial class RedeemJson : JsonSerializerContext;
