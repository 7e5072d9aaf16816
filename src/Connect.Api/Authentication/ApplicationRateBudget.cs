using System.Threading.RateLimiting;
using Connect.Application.RateBudget;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Api.Authentication;

/// <summary>
/// The per-application budget of every endpoint (<see cref="RateLimitOptions"/>): <c>/revoke-all</c> spends it once
/// the client JWT is accepted (docs/contract/revoke-all.md: after the application's status, before the body), the endpoints whose
/// caller is proved by a session token in the body spend it right after the token's signature verified (docs/contract/sessions.md
/// step 6). One bucket per application across endpoints, so an application cannot double its budget by spreading
/// its calls. A refusal answers <c>429 RateLimited</c> with <c>Retry-After: 1</c>: with whole tokens refilled every
/// second and no queue, one second always brings the next token.
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
