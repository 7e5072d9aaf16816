using System.Text.Json.Serialization;
using Connect.Api.Authentication;
using Connect.Api.Errors;
using Connect.Api.Responses;
using Connect.Application.SessionClaims;
using Connect.Domain.Outcomes;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Controllers;

/// <summary>
/// <c>GET /userinfo</c> and <c>GET /claim-state</c> (docs/contract/sessions.md): the holder of an unexpired access token of an
/// active session, named by the <c>Authorization: Bearer</c> header. Connect holds no profile data.
/// </summary>
[BearerTokenAnswers]
[AnswerHeaders(PragmaNoCache = true, VaryByAuthorization = true)]
[AuthenticationChallenge(InvalidTokenChallenge)]
public sealed class SessionClaimsController(IMediator mediator) : ControllerBase
{
    public const string UserInfoRoute = "/userinfo";

    public const string ClaimStateRoute = "/claim-state";

    /// <summary>RFC 6750 §3: the scheme, and why the token was refused, in the one way it ever is.</summary>
    public const string InvalidTokenChallenge = "Bearer error=\"invalid_token\"";

    /// <summary>
    /// The reasons both endpoints answer. Either 401 reason is sent as <c>{"error":"invalid_token"}</c>, not
    /// <c>{"reason":...}</c> (<see cref="BearerTokenAnswersAttribute"/>): the caller never learns which check failed.
    /// </summary>
    public static IReadOnlyList<ReasonCode> Reasons { get; } =
    [
        ReasonCode.AccessTokenInvalid, ReasonCode.AccessTokenInvalidSignature, ReasonCode.RateLimited,
        ReasonCode.ServiceUnavailable, ReasonCode.InternalError,
    ];

    /// <summary>The subject of the session's account.</summary>
    [HttpGet(UserInfoRoute, Name = "userinfo")]
    [ProducesResponseType<UserInfoResponse>(StatusCodes.Status200OK, "application/json")]
    public async Task<IActionResult> UserInfo()
    {
        var outcome = await SendAsync();
        return outcome.Succeeded
            ? JsonAnswer.AsResult(new UserInfoResponse(outcome.Value.Subject.Value), AnswerJson.Default.UserInfoResponse)
            : ReasonResponse.AsResult(outcome.Failure);
    }

    /// <summary>The subject and the state of each profile claim: every one <c>OFF</c> / <c>UNKNOWN</c>.</summary>
    [HttpGet(ClaimStateRoute, Name = "claimState")]
    [ProducesResponseType<ClaimStateResponse>(StatusCodes.Status200OK, "application/json")]
    public async Task<IActionResult> ClaimState()
    {
        var outcome = await SendAsync();
        return outcome.Succeeded
            ? JsonAnswer.AsResult(
                new ClaimStateResponse(outcome.Value.Subject.Value, ProfileClaims.NoneHeld), AnswerJson.Default.ClaimStateResponse)
            : ReasonResponse.AsResult(outcome.Failure);
    }

    private Task<Outcome<SessionClaimsResult>> SendAsync() =>
        mediator.Send(new SessionClaimsQuery(BearerToken.From(Request.Headers.Authorization)), HttpContext.RequestAborted);

    public sealed record UserInfoResponse(string Sub);

    public sealed record ClaimStateResponse(string Sub, ProfileClaims Claims);

    /// <summary>The five claims of the Session API, all always sent, in its order.</summary>
    public sealed record ProfileClaims(
        ProfileClaimState Email,
        [property: JsonPropertyName("given_name")] ProfileClaimState GivenName,
        [property: JsonPropertyName("family_name")] ProfileClaimState FamilyName,
        ProfileClaimState Picture,
        [property: JsonPropertyName("picture_animated")] ProfileClaimState PictureAnimated)
    {
        /// <summary>Connect holds no profile data: nothing is required and nothing is known.</summary>
        public static ProfileClaims NoneHeld { get; } = new(ProfileClaimState.Off, ProfileClaimState.Off, ProfileClaimState.Off, ProfileClaimState.Off, ProfileClaimState.Off);
    }

    public sealed record ProfileClaimState(string Requirement, string State)
    {
        public static ProfileClaimState Off { get; } = new("OFF", "UNKNOWN");
    }
}
