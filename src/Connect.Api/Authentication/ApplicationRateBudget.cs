using System.Threading.RateLimiting;
using Connect.Application.RateBudget;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Api.Authentication;

/// <summary>
/// The per-application budget for the endpoints whose caller is proved by a session token in the body: the same
/// token bucket as <see cref="RateLimiting"/>'s (<see cref="RateLimitOptions"/>), spent by the handler right after
/// the token's signature verified, which is where SESSIONS.md puts the check.
/// </summary>
internal sealed class ApplicationRateBudget(IOptions<RateLimitOptions> options) : IApplicationRateBudget, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(
        anchor => RateLimitPartition.GetTokenBucketLimiter(anchor, _ => RateLimiting.Bucket(options.Value)),
        StringComparer.Ordinal);

    public bool TrySpend(ApplicationAnchor application)
    {
        using var lease = _limiter.AttemptAcquire(application.Value);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
