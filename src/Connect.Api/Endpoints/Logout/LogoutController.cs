namespace Connect.Api.Endpoints.Logout;

public sealed class LogoutController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/logout";

    /// <summary>
    /// Its own refusal (docs/contract/sessions.md <c>POST /logout</c>) is the body's; the body gate's, the budget's and the
    /// outages' follow from the contract. A token that does not resolve to a session is no error: it is
    /// <c>200 {"revoked":false}</c>.
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "logout", typeof(LogoutResponse),
        [ReasonCode.InvalidBody])
    {
        Summary = "End one session",
        Description =
            "Any genuine refresh token of the session, up to its current version, ends it. A token that does not resolve "
            + "to a session answers {\"revoked\":false}, saying nothing of why.",
        Credential = EndpointCredential.SessionTokenInBody,
        Body = new EndpointBody(typeof(RefreshController.RefreshTokenRequest), EndpointBody.TokenBodyBytes),
        Budget = EndpointBudget.Session,
    };

    /// <summary>Ends the session a genuine refresh token (any version up to the current one) belongs to.</summary>
    public Task<IActionResult> Logout() => mediator.SendAsync(
        HttpContext,
        RefreshTokenRequestBody.Parse,
        body => new LogoutCommand(body.RefreshToken),
        ended => JsonAnswer.AsResult(new LogoutResponse(ended.Revoked), LogoutJson.Default.LogoutResponse));

    public sealed record LogoutResponse(bool Revoked);
}

/// <summary>The answers of LogoutController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LogoutController.LogoutResponse))]
internal sealed partial class LogoutJson : JsonSerializerContext;
