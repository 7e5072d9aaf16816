namespace Connect.Api.Authentication;

/// <summary>
/// The <c>SudomimusClientJWT</c> scheme, run for the endpoints that declare it with
/// <c>[Authorize(AuthenticationSchemes = ClientJwtPolicy.Scheme)]</c>: hands the Authorization header and the raw body
/// to <see cref="ClientJwtPolicy"/> and answers its reason. All rules live in the policy.
/// </summary>
/// <remarks>
/// It stands where <c>UseAuthentication</c> and <c>UseAuthorization</c> stood, with the same result: the one
/// requirement the attribute makes is an application the policy accepted, so a refusal answers the policy's reason
/// (<c>403 ApplicationDisabled</c> included, never a generic forbid) and an acceptance runs the endpoint. What it
/// leaves out is ASP.NET Core's general machinery around that one call, which cost ~10-20 µs a request (issue 21,
/// docs/performance.md "The framework tax"): a handler instance per request, the policy evaluator, the
/// authorization service and its handlers, the claims principal nobody reads. An endpoint asking for anything else
/// (another scheme, a policy, roles, <c>[AllowAnonymous]</c> next to it) fails loudly rather than run unguarded.
/// </remarks>
internal sealed class ClientJwtAuthentication(RequestDelegate next, ClientJwtPolicy policy)
{
    // ASP.NET Core's endpoint middleware refuses to run an endpoint with [Authorize] unless the authorization
    // middleware marked the request with this key; this middleware is what authorizes it now.
    private const string AuthorizationRanKey = "__AuthorizationMiddlewareWithEndpointInvoked";

    private static readonly object Ran = new();

    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetOrderedMetadata<IAuthorizeData>() is not { Count: > 0 } requirements)
        {
            return next(context);
        }

        foreach (var requirement in requirements)
        {
            if (requirement.AuthenticationSchemes != ClientJwtPolicy.Scheme || requirement.Policy is not null
                || requirement.Roles is not null || metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                throw new InvalidOperationException(
                    $"Only [Authorize(AuthenticationSchemes = ClientJwtPolicy.Scheme)] is supported: {context.GetEndpoint()?.DisplayName}.");
            }
        }

        context.Items[AuthorizationRanKey] = Ran;
        return AuthenticateAsync(context);
    }

    private async Task AuthenticateAsync(HttpContext context)
    {
        var body = context.Features.Get<RawJsonBody>()
            ?? throw new InvalidOperationException("The client JWT needs the raw body: the endpoint's contract names no Body.");

        // Two Authorization headers are ambiguous; treat them as a malformed credential, never pick one.
        var headers = context.Request.Headers.Authorization;
        var decision = headers.Count > 1
            ? ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtMalformed)
            : await policy.DecideAsync(
                headers.ToString(),
                body.Bytes,
                recordLater: context.GetEndpoint()?.Metadata.GetMetadata<EndpointContract>()?.RecordsClientJwtWithItsWork == true,
                context.RequestAborted);

        var outcome = decision.Outcome;
        if (!outcome.Succeeded)
        {
            if (decision.SignedBy is { } signer)
            {
                context.Features.Set(new SignedByApplication(signer));
            }

            // Every refusal of the policy, 403 ApplicationDisabled included, is answered here.
            await ReasonResponse.WriteAsync(context, outcome.Failure);
            return;
        }

        context.Features.Set(outcome.Value);
        await next(context);
    }
}
