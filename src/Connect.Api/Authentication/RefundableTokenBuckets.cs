namespace Connect.Api.Authentication;

/// <summary>
/// One token bucket per key, refilled as <see cref="RateLimiting.Bucket"/>'s are (whole tokens every period, up to
/// the limit, no queue), that can also take a token back: <c>System.Threading.RateLimiting</c>'s token bucket cannot.
/// <c>/revoke-all</c> spends its token before the revoking statement writes the client JWT's replay record, and gives it
/// back when that record finds the request refused after all (a replay), so that replaying a captured token cannot
/// drain the application's bucket (docs/decisions.md "One transaction a revoke-all").
/// </summary>
/// <remarks>The keys are verified applications' anchors, so there are as many buckets as applications in use.</remarks>
internal sealed class RefundableTokenBuckets
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly int _limit;
    private readonly int _tokensPerPeriod;
    private readonly long _period;
    private readonly TimeProvider _clock;

    public RefundableTokenBuckets(int limit, int tokensPerPeriod, TimeSpan period, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerPeriod, 1);
        _limit = limit;
        _tokensPerPeriod = tokensPerPeriod;
        _clock = clock;
        _period = Math.Max(1, checked((long)(period.TotalSeconds * clock.TimestampFrequency)));
    }

    /// <returns><c>true</c> when a token was taken; <c>false</c> when the bucket is empty.</returns>
    public bool TryTake(string key)
    {
        var bucket = _buckets.GetOrAdd(key, static (_, self) => new Bucket(self._limit, self._clock.GetTimestamp()), this);
        lock (bucket)
        {
            Refill(bucket);
            if (bucket.Tokens == 0)
            {
                return false;
            }

            bucket.Tokens--;
            return true;
        }
    }

    /// <summary>Gives one token back to a bucket a token was taken from, never above the limit.</summary>
    public void GiveBack(string key)
    {
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            return;
        }

        lock (bucket)
        {
            Refill(bucket);
            bucket.Tokens = Math.Min(_limit, bucket.Tokens + 1);
        }
    }

    // The whole periods since the last refill, each bringing its tokens; the part of a period left over counts towards
    // the next one, as a timer ticking every period would.
    private void Refill(Bucket bucket)
    {
        var periods = (_clock.GetTimestamp() - bucket.RefilledAt) / _period;
        if (periods <= 0)
        {
            return;
        }

        bucket.Tokens = (int)Math.Min(_limit, bucket.Tokens + (periods * _tokensPerPeriod));
        bucket.RefilledAt += periods * _period;
    }

    private sealed class Bucket(int tokens, long refilledAt)
    {
        public int Tokens { get; set; } = tokens;

        public long RefilledAt { get; set; } = refilledAt;
    }
}
