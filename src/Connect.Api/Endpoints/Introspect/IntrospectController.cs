namespace Connect.Api.Endpoints.Introspect;

public sealed class IntrospectController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/introspect";

    /// <summary>
    /// Its own refusals (docs/contract/sessions.md <c>POST /introspect</c>): the body's and the access token's (whose
    /// 401s name no challenge: the token is in the body); the body gate's, the budget's and the outages' follow from
    /// the contract.
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "introspect", typeof(IntrospectResponse),
        [ReasonCode.InvalidBody, ReasonCode.AccessTokenInvalid, ReasonCode.AccessTokenInvalidSignature])
    {
        Summary = "Ask whether an access token's session still stands",
        Description =
            "The access token authenticates itself (its signature under the issuing application's published key); its own "
            + "exp is not enforced: the answer describes its session, and may be kept for recommendedRecheckSeconds.",
        Credential = EndpointCredential.SessionTokenInBody,
        Body = new EndpointBody(typeof(AccessTokenRequest), EndpointBody.TokenBodyBytes),
        Budget = EndpointBudget.Session,
    };

    /// <summary>The status of the session an access token belongs to; the token's own expiry is not enforced.</summary>
    public Task<IActionResult> Introspect() => mediator.SendAsync(
        HttpContext,
        IntrospectRequestBody.Parse,
        body => new IntrospectQuery(body.AccessToken),
        judged => JsonAnswer.AsResult(
            new IntrospectResponse(WireName(judged.Status), judged.RecommendedRecheckSeconds),
            IntrospectJson.Default.IntrospectResponse));

    private static string WireName(SessionStatus status) => status switch
    {
        SessionStatus.Active => "active",
        SessionStatus.Revoked => "revoked",
        SessionStatus.Expired => "expired",
        SessionStatus.NotFound => "not_found",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>
    /// The body, for the OpenAPI document only: the action reads the raw bytes, and <c>SessionTokenRules</c> decides the
    /// length in bytes (the schema's <c>maxLength</c> counts characters, a bound every token within the rule meets).
    /// </summary>
    public sealed record AccessTokenRequest(
        [property: Required]
        [property: StringLength(SessionTokenLimits.MaxTokenBytes, MinimumLength = 1)]
        [property: Description("An access token (compact JWS), at most 4 KiB (4096 bytes of UTF-8); it may have expired.")]
        string AccessToken);

    /// <param name="Status"><c>active</c>, <c>revoked</c>, <c>expired</c> or <c>not_found</c>.</param>
    public sealed record IntrospectResponse(string Status, int RecommendedRecheckSeconds);
}

/// <summary>The answers of IntrospectController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IntrospectController.IntrospectResponse))]
internal sealed partial class IntrospectJson : JsonSerializerContext;
