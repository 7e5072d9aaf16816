using Connect.Api.Authentication;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Api.Tests.Authentication;

public sealed class RefundableTokenBucketsTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_bucket_starts_full_and_refuses_once_empty()
    {
        var buckets = new RefundableTokenBuckets(3, 1, TimeSpan.FromSeconds(1), _clock);

        var taken = Enumerable.Range(0, 4).Select(_ => buckets.TryTake("a")).ToList();

        Assert.Equal([true, true, true, false], taken);
    }

    [Fact]
    public void Each_key_has_its_own_bucket()
    {
        var buckets = new RefundableTokenBuckets(1, 1, TimeSpan.FromSeconds(1), _clock);
        buckets.TryTake("a");

        Assert.True(buckets.TryTake("b"));
        Assert.False(buckets.TryTake("a"));
    }

    [Fact]
    public void Whole_periods_refill_their_tokens_and_a_part_of_one_counts_towards_the_next()
    {
        var buckets = new RefundableTokenBuckets(10, 2, TimeSpan.FromSeconds(1), _clock);
        while (buckets.TryTake("a"))
        {
        }

        _clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(buckets.TryTake("a"));

        _clock.Advance(TimeSpan.FromMilliseconds(1_200));
        var afterTwoPeriods = Enumerable.Range(0, 5).Count(_ => buckets.TryTake("a"));
        _clock.Advance(TimeSpan.FromMilliseconds(900));
        var afterTheThird = Enumerable.Range(0, 3).Count(_ => buckets.TryTake("a"));

        Assert.Equal(4, afterTwoPeriods);
        Assert.Equal(2, afterTheThird);
    }

    [Fact]
    public void Refills_never_go_above_the_limit()
    {
        var buckets = new RefundableTokenBuckets(2, 5, TimeSpan.FromSeconds(1), _clock);
        buckets.TryTake("a");

        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(2, Enumerable.Range(0, 4).Count(_ => buckets.TryTake("a")));
    }

    [Fact]
    public void A_token_given_back_can_be_taken_again_but_never_above_the_limit()
    {
        var buckets = new RefundableTokenBuckets(2, 1, TimeSpan.FromSeconds(1), _clock);
        buckets.TryTake("a");
        buckets.TryTake("a");

        buckets.GiveBack("a");
        var again = buckets.TryTake("a");
        buckets.GiveBack("a");
        buckets.GiveBack("a");
        buckets.GiveBack("a");
        var afterMany = Enumerable.Range(0, 4).Count(_ => buckets.TryTake("a"));

        Assert.True(again);
        Assert.Equal(2, afterMany);
    }

    [Fact]
    public void Giving_back_to_a_key_that_never_took_creates_nothing()
    {
        var buckets = new RefundableTokenBuckets(1, 1, TimeSpan.FromSeconds(1), _clock);

        buckets.GiveBack("never");

        Assert.True(buckets.TryTake("never"));
        Assert.False(buckets.TryTake("never"));
    }

    [Fact]
    public void Concurrent_takers_never_take_more_than_the_bucket_holds()
    {
        var buckets = new RefundableTokenBuckets(100, 1, TimeSpan.FromSeconds(1), _clock);

        var taken = 0;
        Parallel.For(0, 1_000, _ =>
        {
            if (buckets.TryTake("a"))
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(100, taken);
    }
}
