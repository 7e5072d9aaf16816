using System.Threading.RateLimiting;
using Connect.Application.RateBudget;

namespace Connect.Api.Authentication;

/// <summary>
/// Configuration section <c>Connect:RateLimit</c>: the application's ceiling and <c>/revoke-all</c>'s bucket (the
/// contract's 100, refilled at 50 a second, each), and each session's own, smaller bucket.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Connect:RateLimit";

    public int BurstLimit { get; set; } = 100;

    public int TokensPerSecond { get; set; } = 50;

    /// <summary>One session's burst: a fifth of the ceiling, so one token cannot spend its application's budget.</summary>
    public int SessionBurstLimit { get; set; } = 20;

    public int SessionTokensPerSecond { get; set; } = 10;
}

/// <summary>
/// The request budgets (<see cref="ApplicationRateBudget"/>), spent only once the application is proved (a verified
/// client JWT or a verified session token), so one application can never spend another's budget and unauthenticated
/// traffic never reaches it.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddPerApplicationRateLimit(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName);
        return services.AddSingleton<IApplicationRateBudget, ApplicationRateBudget>();
    }

    internal static TokenBucketRateLimiterOptions Bucket(int burstLimit, int tokensPerSecond) => new()
    {
        TokenLimit = burstLimit,
        TokensPerPeriod = tokensPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
