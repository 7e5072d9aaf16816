using System.Threading.RateLimiting;
using Connect.Application.RateBudget;

namespace Connect.Api.Authentication;

/// <summary>Configuration section <c>Connect:RateLimit</c>: a token bucket per application.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Connect:RateLimit";

    public int BurstLimit { get; set; } = 100;

    public int TokensPerSecond { get; set; } = 50;
}

/// <summary>
/// The per-application request budget: one bucket per application, shared by every endpoint, spent only once the
/// application is proved (a verified client JWT or a verified session token), so one application can never spend
/// another's budget and unauthenticated traffic never reaches it.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddPerApplicationRateLimit(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName);
        return services.AddSingleton<IApplicationRateBudget, ApplicationRateBudget>();
    }

    internal static TokenBucketRateLimiterOptions Bucket(RateLimitOptions budget) => new()
    {
        TokenLimit = budget.BurstLimit,
        TokensPerPeriod = budget.TokensPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
