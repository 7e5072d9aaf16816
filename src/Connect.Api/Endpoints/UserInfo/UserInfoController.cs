namespace Connect.Api.Endpoints.UserInfo;

/// <summary><c>GET /userinfo</c> (docs/contract/sessions.md): the subject of the session's account.</summary>
public sealed class UserInfoController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/userinfo";

    static EndpointContract IDescribedEndpoint.Contract { get; } =
        SessionClaimsEndpoints.Contract(Route, "userinfo", typeof(UserInfoResponse));

    public async Task<IActionResult> UserInfo()
    {
        var outcome = await SessionClaimsEndpoints.SendAsync(mediator, HttpContext);
        return outcome.Succeeded
            ? JsonAnswer.AsResult(new UserInfoResponse(outcome.Value.Subject.Value), UserInfoJson.Default.UserInfoResponse)
            : ReasonResponse.AsResult(outcome.Failure);
    }

    public sealed record UserInfoResponse(string Sub);
}

/// <summary>The answers of UserInfoController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UserInfoController.UserInfoResponse))]
internal sealed partial class UserInfoJson : JsonSerializerContext;
