namespace Connect.Api.Authentication;

/// <summary>
/// One token bucket per client address (<see cref="ClientAddresses"/>), shared by the endpoints whose work comes
/// before any credential is checked: JWKS, <c>/status-poll</c>, <c>/redeem</c> and <c>/info</c>. They declare it with
/// <c>EndpointBudget.ClientAddress</c> in their contracts, which attaches this policy; ASP.NET Core's rate-limiting middleware spends it right after
/// routing, before the body is read and before any database work, and a refusal is the contract's
/// <c>429 RateLimited</c> with <c>Retry-After: 1</c> through <see cref="ReasonResponse"/>. The endpoints whose caller
/// is proved by a token do not take it: their forged tokens must still get their 401, and their budgets come after
/// the proof (<see cref="ApplicationRateBudget"/>).
/// </summary>
internal sealed class AddressBudget(IOptions<RateLimitOptions> options, ClientAddresses addresses) : IRateLimiterPolicy<string>
{
    public const string Policy = "client-address";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } =
        (rejected, _) => new ValueTask(ReasonResponse.WriteAsync(rejected.HttpContext, ReasonCode.RateLimited));

    // Idle buckets (full again) are dropped by the limiter, so memory follows the addresses seen in the last seconds.
    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetTokenBucketLimiter(
            addresses.BudgetKey(httpContext),
            _ => RateLimiting.Bucket(options.Value.AddressBurstLimit, options.Value.AddressTokensPerSecond));
}
