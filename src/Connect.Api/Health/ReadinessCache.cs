namespace Connect.Api.Health;

/// <summary>
/// The database's readiness, probed at most once a second however often <c>/health</c> is asked: an
/// unauthenticated caller must not be able to turn requests into database round trips. Callers that arrive while
/// a probe runs share it, and an answer is never more than <see cref="MaxAge"/> older than its probe's start.
/// </summary>
public sealed class ReadinessCache(Func<CancellationToken, Task<bool>> probe, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<bool>? _latest;
    private long _startedAt;

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        Task<bool> latest;
        lock (_gate)
        {
            if (_latest is null || (_latest.IsCompleted && clock.GetElapsedTime(_startedAt) >= MaxAge))
            {
                _startedAt = clock.GetTimestamp();
                // Not the caller's token: the probe is shared, and one caller leaving must not fail the others.
                _latest = probe(CancellationToken.None);
            }

            latest = _latest;
        }

        return latest.WaitAsync(cancellationToken);
    }
}
