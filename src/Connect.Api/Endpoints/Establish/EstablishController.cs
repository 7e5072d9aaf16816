namespace Connect.Api.Endpoints.Establish;

/// <summary><c>POST /establish</c> (docs/contract/sign-in.md): the application opens an inquiry.</summary>
public sealed class EstablishController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/establish";

    /// <summary>
    /// A SECTOR_SUBJECT may name many subjects (256 of about 45 bytes each): more than the default limit, still
    /// bounded.
    /// </summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>
    /// Its own refusals in the order they are checked (the body gate's, the budget's and the outages' follow from the
    /// contract). Only the Connect generation opens inquiries (a Session API client's JWT is for another audience);
    /// then the application's budget, before the body.
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "establish", typeof(EstablishResponse),
        [
            ReasonCode.ClientJwtMissing, ReasonCode.ClientJwtMalformed, ReasonCode.ClientJwtAlgorithmRejected,
            ReasonCode.ClientJwtUnknownApplication, ReasonCode.ClientJwtInvalidSignature,
            ReasonCode.ClientJwtAudienceMismatch, ReasonCode.ClientJwtExpired, ReasonCode.ClientJwtNotYetValid,
            ReasonCode.ClientJwtLifetimeTooLong, ReasonCode.ClientJwtReplayed, ReasonCode.ClientJwtBodyHashMismatch,
            ReasonCode.ApplicationDisabled, ReasonCode.InvalidBody, ReasonCode.ApplicationAnchorMismatch,
            ReasonCode.MethodUnavailable, ReasonCode.CallbackUrlRejected,
        ])
    {
        Summary = "Open an inquiry (a pending sign-in)",
        Description =
            "Opens an inquiry of the calling application: the exposure key goes into the sign-in URL "
            + "(/sign-in?exposure-key=K), the hidden key stays with the application and proves it to /status-poll and "
            + "/redeem. The inquiry lives 10 minutes unless configured otherwise.",
        Credential = EndpointCredential.ConnectClientJwt,
        Body = new EndpointBody(typeof(EstablishRequest), MaxBodyBytes, RefusesUnknownMembers: true),
        AnswerHeaders = AnswerHeaders.NoStoreNoCache,
        Budget = EndpointBudget.Application,
    };

    public async Task<IActionResult> Establish()
    {
        var cancellationToken = HttpContext.RequestAborted;
        var caller = HttpContext.Features.GetRequiredFeature<AuthenticatedApplication>();
        var body = EstablishRequestBody.Parse(HttpContext.Features.GetRequiredFeature<RawJsonBody>().Bytes);
        var command = body.Succeeded ? body.Value.ToCommand(caller) : body.Failure;
        if (!command.Succeeded)
        {
            return ReasonResponse.AsResult(command.Failure);
        }

        var outcome = await mediator.Send(command.Value, cancellationToken);
        if (!outcome.Succeeded)
        {
            return ReasonResponse.AsResult(outcome.Failure);
        }

        return JsonAnswer.AsResult(
            new EstablishResponse(outcome.Value.ApplicationAnchor, outcome.Value.ExposureKey, outcome.Value.HiddenKey),
            EstablishJson.Default.EstablishResponse);
    }

    /// <summary>The body's shape, for the OpenAPI document only: the action reads the raw bytes the client JWT signed.</summary>
    public sealed record EstablishRequest(
        [property: Required]
        [property: StringLength(255, MinimumLength = 1)]
        [property: Description("The calling application's anchor: the iss of the client JWT.")]
        string ApplicationAnchor,
        [property: Description("Optional, 1-16 entries: {\"method\":\"PASSKEY_USERNAMELESS\",\"payload\":{}}, each with optional accessTokenTtlSeconds (60-604800) and refreshTokenTtlSeconds (86400-31536000).")]
        IReadOnlyList<JsonObject>? AuthenticationConstraints,
        [property: Description("Optional, 1-16 entries: EVERYONE ({}) or SECTOR_SUBJECT ({\"allowedSectorSubjects\":[...]}), with the same optional lifetimes. All must hold.")]
        IReadOnlyList<JsonObject>? RealizeConstraints,
        [property: Description("Optional, 1-3 entries: STATUS_POLL ({}) or CALLBACK ({\"callbackUrl\":\"https://...\"}, a host of the application's callback hosts, at most 2048 bytes).")]
        IReadOnlyList<JsonObject>? ReturnMethods);

    public sealed record EstablishResponse(string ApplicationAnchor, string ExposureKey, string HiddenKey);
}

/// <summary>The answers of EstablishController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EstablishController.EstablishResponse))]
internal sealed partial class EstablishJson : JsonSerializerContext;
