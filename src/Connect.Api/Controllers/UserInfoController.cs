using Connect.Api.Endpoints;
using Connect.Api.Errors;
using Connect.Api.Responses;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Controllers;

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
            ? JsonAnswer.AsResult(new UserInfoResponse(outcome.Value.Subject.Value), AnswerJson.Default.UserInfoResponse)
            : ReasonResponse.AsResult(outcome.Failure);
    }

    public sealed record UserInfoResponse(string Sub);
}
