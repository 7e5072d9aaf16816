namespace Connect.Api.Endpoints.StatusPoll;

/// <summary><c>POST /status-poll</c> (docs/contract/sign-in.md): the hidden key in the body is the credential.</summary>
public sealed class StatusPollController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/status-poll";

    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "statusPoll", typeof(StatusPollResponse),
        [
            ReasonCode.InvalidBody, ReasonCode.InquiryNotFound, ReasonCode.InquiryAlreadyRedeemed,
            ReasonCode.InquiryExpired,
        ])
    {
        Summary = "Ask whether an inquiry was realized",
        Description =
            "PENDING until a person signs in, then REALIZED with the confirmation key (the same on every poll until the "
            + "inquiry is redeemed). A wrong hidden key answers as an unknown inquiry; past its lifetime or after 600 polls "
            + "the inquiry answers InquiryExpired.",
        Body = new EndpointBody(typeof(StatusPollRequest), RefusesUnknownMembers: true),
        AnswerHeaders = AnswerHeaders.NoStoreNoCache,
        Budget = EndpointBudget.ClientAddress,
    };

    public Task<IActionResult> StatusPoll() => mediator.SendAsync(
        HttpContext,
        StatusPollRequestBody.Parse,
        body => new StatusPollQuery(body.ExposureKey, body.HiddenKey),
        status => JsonAnswer.AsResult(
            status.Realized ? new StatusPollResponse("REALIZED", status.ConfirmationKey) : new StatusPollResponse("PENDING", null),
            StatusPollJson.Default.StatusPollResponse));

    public sealed record StatusPollRequest(
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The inquiry's exposure key.")]
        string ExposureKey,
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The inquiry's hidden key, which only the application holds.")]
        string HiddenKey);

    /// <summary>The status first: the official clients read it as the discriminator of the answer's shape.</summary>
    public sealed record StatusPollResponse(
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConfirmationKey);
}

/// <summary>The answers of StatusPollController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatusPollController.StatusPollResponse))]
internal sealed partial class StatusPollJson : JsonSerializerContext;
