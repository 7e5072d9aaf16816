using System.Globalization;
using System.Threading.RateLimiting;
using Connect.Api.Errors;
using Connect.Application.RateBudget;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Connect.Api.Authentication;

/// <summary>Configuration section <c>Connect:RateLimit</c>: a token bucket per application.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Connect:RateLimit";

    public int BurstLimit { get; set; } = 100;

    public int TokensPerSecond { get; set; } = 50;
}

/// <summary>
/// The per-application request budget. It runs after authentication and keys on the authenticated anchor,
/// so one application can never spend another's budget and unauthenticated traffic never reaches it.
/// </summary>
internal static class RateLimiting
{
    public const string PerApplicationPolicy = "per-application";

    public static IServiceCollection AddPerApplicationRateLimit(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName);
        services.AddSingleton<IApplicationRateBudget, ApplicationRateBudget>();
        return services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PerApplicationPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.User.Identity?.Name ?? string.Empty,
                _ => Bucket(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value)));
            limiter.OnRejected = (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? (int)Math.Ceiling(wait.TotalSeconds)
                    : 1;
                return new ValueTask(ReasonResponse.WriteAsync(rejected.HttpContext, ReasonCode.RateLimited, Math.Max(1, retryAfter)));
            };
        });
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
