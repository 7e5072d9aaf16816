namespace Connect.Api.Endpoints.RevokeAll;

public sealed class RevokeAllController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/revoke-all";

    /// <summary>
    /// Its own refusals are drawn from the one table (docs/contract/revoke-all.md's part of it): the body's and the
    /// client-JWT policy's (the body gate's, the budget's and the outages' follow from the contract); the session
    /// lifecycle's reasons belong to its own endpoints. The budget is its own bucket, spent after authentication and
    /// the application's status, before the body, so that no flood of session traffic keeps the application from
    /// logging its users out.
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "revokeAll", typeof(RevokeAllResponse),
        [
            ReasonCode.InvalidBody, ReasonCode.ClientJwtMissing, ReasonCode.ClientJwtMalformed,
            ReasonCode.ClientJwtAlgorithmRejected, ReasonCode.ClientJwtUnknownApplication,
            ReasonCode.ClientJwtInvalidSignature, ReasonCode.ClientJwtAudienceMismatch, ReasonCode.ClientJwtExpired,
            ReasonCode.ClientJwtNotYetValid, ReasonCode.ClientJwtLifetimeTooLong, ReasonCode.ClientJwtReplayed,
            ReasonCode.ClientJwtBodyHashMismatch, ReasonCode.ApplicationDisabled,
        ])
    {
        Summary = "Log one account out everywhere",
        Description =
            "Revokes every active session of the account the subject names in the calling application's sector, for the " +
            "calling application only. An unknown subject, or one of another sector, revokes nothing and also answers 200. " +
            "The answer follows the client JWT's aud: sudomimus-connect gets {\"revokedCount\":n}, sudomimus-session gets " +
            "exactly {\"revoked\":true}.",
        Credential = EndpointCredential.ClientJwt,
        Body = new EndpointBody(typeof(RevokeAllRequest)),
        Budget = EndpointBudget.RevokeAll,
        RecordsClientJwtWithItsWork = true,
        Observation = new EndpointObservation(Aliases: ObservationAliases.RevokeAll),
    };

    /// <summary>Revokes every active session of one account issued for the calling application.</summary>
    public async Task<IActionResult> RevokeAll()
    {
        // No parameters, so MVC runs no model binding at all: everything the action needs is already in the
        // request's features, and RequestAborted is the token a CancellationToken parameter would be bound to.
        var cancellationToken = HttpContext.RequestAborted;
        var caller = HttpContext.Features.GetRequiredFeature<AuthenticatedApplication>();
        var body = RevokeAllRequestBody.Parse(HttpContext.Features.GetRequiredFeature<RawJsonBody>().Bytes);
        if (!body.Succeeded)
        {
            return await RefusedAsync(body.Failure);
        }

        var observed = HttpContext.Features.Get<ObservedOutcome>();
        if (body.Value.Subject is { } subject)
        {
            observed?.SetSubject(subject);
        }

        var outcome = await mediator.Send(new RevokeAllCommand(caller, body.Value.Subject), cancellationToken);
        if (!outcome.Succeeded)
        {
            return await RefusedAsync(outcome.Failure);
        }

        observed?.RevokedCount = outcome.Value.RevokedCount;

        // The same work for both generations of clients; only the answer's shape follows the JWT's aud.
        return caller.IsSessionGeneration
            ? JsonAnswer.AsResult(new SessionRevokeAllResponse(true), RevokeAllJson.Default.SessionRevokeAllResponse)
            : JsonAnswer.AsResult(new RevokeAllResponse(outcome.Value.RevokedCount), RevokeAllJson.Default.RevokeAllResponse);
    }

    // The client JWT's replay record is written by the revoking statement; a refusal before it writes the record first.
    private async Task<IActionResult> RefusedAsync(ReasonCode refusal) =>
        ReasonResponse.AsResult(await LateClientJwtRecord.RefusalAsync(HttpContext, refusal, spentRevokeAll: true));

    /// <summary>
    /// The body's shape, for the OpenAPI document only: the action reads the raw bytes (the client JWT signs them),
    /// and <see cref="RevokeAllRequestBody"/> and the command's validator enforce this.
    /// </summary>
    public sealed record RevokeAllRequest(
        [property: Required]
        [property: StringLength(SectorSubject.MaxLength, MinimumLength = 1)]
        [property: Description("The sector subject: the sub the application sees for the user.")]
        string Subject);

    /// <summary>The Connect API generation's answer (<c>aud</c> <c>sudomimus-connect</c>).</summary>
    public sealed record RevokeAllResponse(int RevokedCount);

    /// <summary>The Session API generation's answer (<c>aud</c> <c>sudomimus-session</c>): exactly <c>{"revoked":true}</c>.</summary>
    public sealed record SessionRevokeAllResponse(bool Revoked);
}

/// <summary>The answers of RevokeAllController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RevokeAllController.SessionRevokeAllResponse))]
[JsonSerializable(typeof(RevokeAllController.RevokeAllResponse))]
internal sealed partial class RevokeAllJson : JsonSerializerContext;
