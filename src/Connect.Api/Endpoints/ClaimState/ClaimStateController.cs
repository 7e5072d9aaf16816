namespace Connect.Api.Endpoints.ClaimState;

/// <summary>
/// <c>GET /claim-state</c> (docs/contract/sessions.md): the subject and the state of each profile claim, every one
/// <c>OFF</c> / <c>UNKNOWN</c>.
/// </summary>
public sealed class ClaimStateController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/claim-state";

    static EndpointContract IDescribedEndpoint.Contract { get; } =
        SessionClaimsEndpoints.Contract(Route, "claimState", typeof(ClaimStateResponse));

    public async Task<IActionResult> ClaimState()
    {
        var outcome = await SessionClaimsEndpoints.SendAsync(mediator, HttpContext);
        return outcome.Succeeded
            ? JsonAnswer.AsResult(
                new ClaimStateResponse(outcome.Value.Subject.Value, SessionClaimsEndpoints.ProfileClaims.NoneHeld),
                ClaimStateJson.Default.ClaimStateResponse)
            : ReasonResponse.AsResult(outcome.Failure);
    }

    internal sealed record ClaimStateResponse(string Sub, SessionClaimsEndpoints.ProfileClaims Claims);
}

/// <summary>The answers of ClaimStateController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ClaimStateController.ClaimStateResponse))]
internal sealed partial class ClaimStateJson : JsonSerializerContext;
