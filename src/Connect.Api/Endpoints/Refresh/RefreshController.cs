namespace Connect.Api.Endpoints.Refresh;

/// <summary>
/// <c>POST /refresh</c> (docs/contract/sessions.md): the refresh token in the body proves the caller, so there is no client JWT
/// and no challenge header; the rate budget is spent by the handler once the token's signature verified.
/// </summary>
public sealed class RefreshController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/refresh";

    /// <summary>Its own refusals, drawn from the one table in docs/contract/sessions.md's order of checks.</summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "refresh", typeof(RefreshResponse),
        [
            ReasonCode.InvalidBody, ReasonCode.RefreshTokenInvalid, ReasonCode.RefreshTokenInvalidType,
            ReasonCode.RefreshTokenInvalidSignature, ReasonCode.RefreshTokenRevoked, ReasonCode.RefreshTokenExpired,
            ReasonCode.ApplicationDisabled, ReasonCode.AccountDisabled, ReasonCode.RefreshTokenFamilyCompromised,
            ReasonCode.RefreshTokenRotationRaceLost,
        ])
    {
        Summary = "Rotate a session's refresh token",
        Description =
            "Consumes the presented version of the session and answers a new access token and the next version's refresh "
            + "token. The previous version, presented again within the grace window, adopts the same current refresh token; "
            + "an older one revokes the session (RefreshTokenFamilyCompromised).",
        Credential = EndpointCredential.SessionTokenInBody,
        Body = new EndpointBody(typeof(RefreshTokenRequest), EndpointBody.TokenBodyBytes),
        AnswerHeaders = AnswerHeaders.NoStoreNoCache,
        Budget = EndpointBudget.Session,
    };

    /// <summary>Consumes the presented version of a session and answers a new access token and the next refresh token.</summary>
    public Task<IActionResult> Refresh() => mediator.SendAsync(
        HttpContext,
        RefreshTokenRequestBody.Parse,
        body => new RefreshCommand(body.RefreshToken),
        rotated => JsonAnswer.AsResult(
            new RefreshResponse(rotated.AccessToken, rotated.RefreshToken, ClaimStates.Unknown),
            RefreshJson.Default.RefreshResponse));

    /// <summary>
    /// The body of <c>/refresh</c> and <c>/logout</c>, for the OpenAPI document only: the action reads the raw bytes,
    /// and <see cref="RefreshTokenRequestBody"/> and the command's validator enforce this (the length in bytes, by
    /// <c>SessionTokenRules</c>; the schema's <c>maxLength</c> counts characters, a bound every token within the rule meets).
    /// </summary>
    public sealed record RefreshTokenRequest(
        [property: Required]
        [property: StringLength(SessionTokenLimits.MaxTokenBytes, MinimumLength = 1)]
        [property: Description("A refresh token of the session (compact JWS), at most 4 KiB (4096 bytes of UTF-8).")]
        string RefreshToken);

    public sealed record RefreshResponse(string AccessToken, string RefreshToken, ClaimStates Claims);

    /// <summary>The five profile claims the official clients read; Connect holds no profile data, so all are off.</summary>
    public sealed record ClaimStates(
        ClaimState Email, ClaimState FirstName, ClaimState LastName, ClaimState StaticAvatar, ClaimState AnimatedAvatar)
    {
        public static ClaimStates Unknown { get; } = new(ClaimState.Off, ClaimState.Off, ClaimState.Off, ClaimState.Off, ClaimState.Off);
    }

    public sealed record ClaimState(string Requirement, string State)
    {
        public static ClaimState Off { get; } = new("OFF", "UNKNOWN");
    }
}

/// <summary>The answers of RefreshController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RefreshController.RefreshResponse))]
internal sealed partial class RefreshJson : JsonSerializerContext;
