using Connect.Api.Endpoints;
using Connect.Api.Errors;
using Connect.Api.Responses;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Controllers;

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
                AnswerJson.Default.ClaimStateResponse)
            : ReasonResponse.AsResult(outcome.Failure);
    }

    internal sealed record ClaimStateResponse(string Sub, SessionClaimsEndpoints.ProfileClaims Claims);
}
