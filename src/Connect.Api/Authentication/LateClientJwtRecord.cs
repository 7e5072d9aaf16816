namespace Connect.Api.Authentication;

/// <summary>
/// The refusals of a request whose client JWT was accepted with its replay record unwritten
/// (<see cref="EndpointContract.RecordsClientJwtWithItsWork"/>). The contract checks the replay, then the application's
/// status, before the budget and the body; so before a later check's refusal is answered, the record is written alone,
/// and when that finds the request refused after all (a replay, an application disabled or changed meanwhile), the
/// client JWT's reason is the answer instead, and a revoke-all token spent for the request is given back.
/// </summary>
internal static class LateClientJwtRecord
{
    /// <param name="refusal">The later check's reason (the budget's, the body's, or the use case's).</param>
    /// <param name="spentRevokeAll">Whether the request spent a token of revoke-all's budget.</param>
    public static async Task<ReasonCode> RefusalAsync(HttpContext context, ReasonCode refusal, bool spentRevokeAll)
    {
        if (context.Features.Get<AuthenticatedApplication>() is not { Unrecorded: { } unrecorded } caller)
        {
            return refusal;
        }

        // Memoized: when the use case already decided it (its statement found a replay), this is that decision.
        var recorded = await unrecorded.RecordAsync(context.RequestAborted);
        if (recorded.Succeeded)
        {
            return refusal;
        }

        if (spentRevokeAll)
        {
            context.RequestServices.GetRequiredService<IApplicationRateBudget>().RefundRevokeAll(caller.Anchor);
        }

        return recorded.Failure;
    }
}
