using Connect.Api.Authentication;
using Connect.Api.Errors;
using Connect.Api.Observability;
using Connect.Api.Requests;
using Connect.Api.Responses;
using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Outcomes;
using MediatR;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Connect.Api.Controllers;

public sealed class RevokeAllController(IMediator mediator) : ControllerBase
{
    public const string Route = "/revoke-all";

    /// <summary>
    /// The reasons this endpoint answers, drawn from the one table (CONTRACT.md's part of it): the body gate's,
    /// the client-JWT policy's, the rate limiter's, the body's and the outage answers. The OpenAPI document lists
    /// exactly these under <see cref="Route"/>; the session lifecycle's reasons belong to its own endpoints.
    /// </summary>
    public static IReadOnlyList<ReasonCode> Reasons { get; } =
    [
        ReasonCode.InvalidBody, ReasonCode.ClientJwtMissing, ReasonCode.ClientJwtMalformed,
        ReasonCode.ClientJwtAlgorithmRejected, ReasonCode.ClientJwtUnknownApplication,
        ReasonCode.ClientJwtInvalidSignature, ReasonCode.ClientJwtAudienceMismatch, ReasonCode.ClientJwtExpired,
        ReasonCode.ClientJwtNotYetValid, ReasonCode.ClientJwtLifetimeTooLong, ReasonCode.ClientJwtReplayed,
        ReasonCode.ClientJwtBodyHashMismatch, ReasonCode.ApplicationDisabled, ReasonCode.BodyTooLarge,
        ReasonCode.UnsupportedMediaType, ReasonCode.RateLimited, ReasonCode.ServiceUnavailable,
        ReasonCode.InternalError,
    ];

    /// <summary>Revokes every active refresh token of one account issued for the calling application.</summary>
    [HttpPost(Route)]
    [RawJsonBody]
    [Authorize(AuthenticationSchemes = ClientJwtPolicy.Scheme)]
    [AuthenticationChallenge(ClientJwtPolicy.Scheme)]
    [EnableRateLimiting(RateLimiting.PerApplicationPolicy)]
    [ProducesResponseType<RevokeAllResponse>(StatusCodes.Status200OK, "application/json")]
    public async Task<IActionResult> RevokeAll()
    {
        // No parameters, so MVC runs no model binding at all: everything the action needs is already in the
        // request's features, and RequestAborted is the token a CancellationToken parameter would be bound to.
        var cancellationToken = HttpContext.RequestAborted;
        var caller = HttpContext.Features.GetRequiredFeature<AuthenticatedApplication>();
        var body = RevokeAllRequestBody.Parse(HttpContext.Features.GetRequiredFeature<RawJsonBody>().Bytes.Span);
        if (!body.Succeeded)
        {
            return ReasonResponse.AsResult(body.Failure);
        }

        var observed = HttpContext.Features.Get<ObservedOutcome>();
        if (body.Value.Subject is { } subject)
        {
            observed?.SetSubject(subject);
        }

        var outcome = await mediator.Send(new RevokeAllCommand(caller, body.Value.Subject), cancellationToken);
        if (!outcome.Succeeded)
        {
            return ReasonResponse.AsResult(outcome.Failure);
        }

        observed?.RevokedCount = outcome.Value.RevokedCount;
        return JsonAnswer.AsResult(new RevokeAllResponse(outcome.Value.RevokedCount), AnswerJson.Default.RevokeAllResponse);
    }

    public sealed record RevokeAllResponse(int RevokedCount);
}
