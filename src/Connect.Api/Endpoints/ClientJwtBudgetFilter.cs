namespace Connect.Api.Endpoints;

/// <summary>
/// The checks between an accepted client JWT and the action, in the contracts' order (docs/contract/revoke-all.md: the
/// budget after authentication and the application's status, before the body; docs/contract/sign-in.md the same for
/// <c>/establish</c>): a Connect-only endpoint refuses the Session generation's audience, then the endpoint's budget
/// (<see cref="EndpointBudget.Application"/>: the application's ceiling; <see cref="EndpointBudget.RevokeAll"/>: its own
/// bucket, so that no flood of session traffic keeps the application from logging its users out).
/// </summary>
internal sealed class ClientJwtBudgetFilter(EndpointContract contract) : IAsyncActionFilter
{
    public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var caller = http.Features.GetRequiredFeature<AuthenticatedApplication>();
        if (contract.Credential == EndpointCredential.ConnectClientJwt && caller.IsSessionGeneration)
        {
            return RefuseAsync(context, ReasonCode.ClientJwtAudienceMismatch);
        }

        var budget = http.RequestServices.GetRequiredService<IApplicationRateBudget>();
        var spent = contract.Budget == EndpointBudget.RevokeAll ? budget.TrySpendRevokeAll(caller.Anchor) : budget.TrySpend(caller.Anchor);
        return spent ? next() : RefuseAsync(context, ReasonCode.RateLimited);
    }

    // A client JWT accepted with its replay record unwritten is recorded first: a replay answers as a replay.
    private static async Task RefuseAsync(ActionExecutingContext context, ReasonCode refusal) =>
        context.Result = ReasonResponse.AsResult(
            await LateClientJwtRecord.RefusalAsync(context.HttpContext, refusal, spentRevokeAll: false));
}
