namespace Connect.Api.Authentication;

/// <summary>
/// The budgets of <see cref="IApplicationRateBudget"/> as token buckets (<see cref="RateLimitOptions"/>): the
/// application's ceiling and <c>/revoke-all</c>'s bucket with the contract's figures, one bucket per application
/// each; one smaller bucket per session. <c>/revoke-all</c> spends its bucket once the client JWT is accepted
/// (docs/contract/revoke-all.md: after the application's status, before the body), the endpoints whose caller is
/// proved by a session token spend the session's bucket and the ceiling right after the token's signature verified
/// (docs/contract/sessions.md step 6). A refusal answers <c>429 RateLimited</c> with <c>Retry-After: 1</c>: with
/// whole tokens refilled every second and no queue, one second always brings the next token.
/// </summary>
internal sealed class ApplicationRateBudget(IOptions<RateLimitOptions> options, TimeProvider clock) : IApplicationRateBudget, IDisposable
{
    // Sessions seen ended by this instance: bounds memory against a flood of ended sessions' tokens, each of which
    // needed a genuine sign-in; forgetting them all only makes their next requests spend the ceiling once more.
    internal const int MaxEndedSessions = 50_000;

    private readonly PartitionedRateLimiter<string> _applications = PartitionedRateLimiter.Create<string, string>(
        anchor => RateLimitPartition.GetTokenBucketLimiter(anchor, _ => RateLimiting.Bucket(options.Value.BurstLimit, options.Value.TokensPerSecond)),
        StringComparer.Ordinal);

    // Its own kind of bucket: revoke-all gives a token back when its statement finds a replay (RefundRevokeAll).
    private readonly RefundableTokenBuckets _revokeAll = new(
        options.Value.BurstLimit, options.Value.TokensPerSecond, TimeSpan.FromSeconds(1), clock);

    // Idle buckets are dropped by the limiter, so memory follows the sessions in use, not all sessions ever seen.
    private readonly PartitionedRateLimiter<string> _sessions = PartitionedRateLimiter.Create<string, string>(
        sid => RateLimitPartition.GetTokenBucketLimiter(
            sid, _ => RateLimiting.Bucket(options.Value.SessionBurstLimit, options.Value.SessionTokensPerSecond)),
        StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, byte> _ended = new(StringComparer.Ordinal);

    public bool TrySpend(ApplicationAnchor application) => TryAcquire(_applications, application.Value);

    public bool TrySpend(ApplicationAnchor application, SessionId session) =>
        TryAcquire(_sessions, session.Value) && (_ended.ContainsKey(session.Value) || TryAcquire(_applications, application.Value));

    public bool TrySpendRevokeAll(ApplicationAnchor application) => _revokeAll.TryTake(application.Value);

    public void RefundRevokeAll(ApplicationAnchor application) => _revokeAll.GiveBack(application.Value);

    public void SessionEnded(SessionId session)
    {
        if (_ended.Count >= MaxEndedSessions)
        {
            _ended.Clear();
        }

        _ended.TryAdd(session.Value, 0);
    }

    public void Dispose()
    {
        _applications.Dispose();
        _sessions.Dispose();
    }

    private static bool TryAcquire(PartitionedRateLimiter<string> limiter, string partition)
    {
        using var lease = limiter.AttemptAcquire(partition);
        return lease.IsAcquired;
    }
}
