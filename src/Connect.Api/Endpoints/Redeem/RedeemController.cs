using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Connect.Api.Endpoints;
using Connect.Api.Endpoints.Refresh;
using Connect.Api.Errors;
using Connect.Api.Requests;
using Connect.Api.Responses;
using Connect.Application.Inquiries;
using Connect.Application.Redeem;
using Connect.Domain.Outcomes;
using MediatR;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Endpoints.Redeem;

/// <summary><c>POST /redeem</c> (docs/contract/sign-in.md): a realized inquiry becomes the session's first token pair, once.</summary>
public sealed class RedeemController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/redeem";

    /// <summary>
    /// Its ApplicationNotFound is the 400 one: here the application is part of the inquiry presented, not the resource
    /// asked for (docs/decisions.md).
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "redeem", typeof(RedeemResponse),
        [
            ReasonCode.BodyTooLarge, ReasonCode.UnsupportedMediaType, ReasonCode.InvalidBody, ReasonCode.InquiryNotFound,
            ReasonCode.InquiryAlreadyRedeemed, ReasonCode.InquiryExpired, ReasonCode.InquiryApplicationNotFound,
            ReasonCode.InquiryNotRealized, ReasonCode.ApplicationDisabled, ReasonCode.AccountNotFound,
            ReasonCode.AccountDeleted, ReasonCode.AccountDisabled, ReasonCode.RateLimited, ReasonCode.ServiceUnavailable,
            ReasonCode.InternalError,
        ])
    {
        Summary = "Redeem a realized inquiry for a session",
        Description =
            "Begins the signed-in account's session in the application (rotation version 1, its pairwise subject in the "
            + "application's sector) and answers its first access and refresh tokens. Exactly once: of concurrent redeems "
            + "of one inquiry, one gets the tokens and the rest InquiryAlreadyRedeemed.",
        Body = new EndpointBody(typeof(RedeemRequest), RefusesUnknownMembers: true),
        AnswerHeaders = AnswerHeaders.NoStoreNoCache,
        Budget = EndpointBudget.ClientAddress,
    };

    public async Task<IActionResult> Redeem()
    {
        var body = RedeemRequestBody.Parse(HttpContext.Features.GetRequiredFeature<RawJsonBody>().Bytes);
        if (!body.Succeeded)
        {
            return ReasonResponse.AsResult(body.Failure);
        }

        var outcome = await mediator.Send(
            new RedeemCommand(body.Value.ExposureKey, body.Value.HiddenKey, body.Value.ConfirmationKey),
            HttpContext.RequestAborted);
        if (!outcome.Succeeded)
        {
            return ReasonResponse.AsResult(outcome.Failure);
        }

        return JsonAnswer.AsResult(
            new RedeemResponse(
                outcome.Value.ApplicationAnchor, outcome.Value.AccessToken, outcome.Value.RefreshToken,
                RefreshController.ClaimStates.Unknown),
            RedeemJson.Default.RedeemResponse);
    }

    public sealed record RedeemRequest(
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The inquiry's exposure key.")]
        string ExposureKey,
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The inquiry's hidden key.")]
        string HiddenKey,
        [property: Required]
        [property: StringLength(InquiryKeys.MaxLength, MinimumLength = 1)]
        [property: Description("The confirmation key /status-poll or the callback received.")]
        string ConfirmationKey);

    /// <summary>The claims object exactly as <c>/refresh</c> answers it.</summary>
    public sealed record RedeemResponse(
        string ApplicationAnchor, string AccessToken, string RefreshToken, RefreshController.ClaimStates Claims);
}

/// <summary>The answers of RedeemController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RedeemController.RedeemResponse))]
internal sealed partial class RedeemJson : JsonSerializerContext;
