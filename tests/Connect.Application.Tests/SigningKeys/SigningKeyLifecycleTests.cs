using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Application.Tests.SigningKeys;

/// <summary>The states docs/contract/sessions.md gives a key, decided from its stored times and a fake clock.</summary>
public sealed class SigningKeyLifecycleTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(300);
    private static readonly AppId App = new(Guid.NewGuid());

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly List<StoredSigningKey> _keys = [];

    [Fact]
    public void First_key_is_current_at_once()
    {
        var first = Add(currentFrom: Now);

        Assert.Equal(SigningKeyState.Current, State(first));
        Assert.Same(first, SigningKeyLifecycle.Current(_keys, Now));
    }

    [Fact]
    public void Rotated_key_is_next_until_it_has_been_published_for_the_delay_then_the_old_key_retires()
    {
        var old = Add(currentFrom: Now) with { SignsUntil = Now + TimeSpan.FromDays(1) };
        _keys[0] = old;
        _clock.Advance(TimeSpan.FromHours(1));
        var rotated = Add(currentFrom: Now + Delay);

        _clock.Advance(Delay - TimeSpan.FromSeconds(1));
        var before = (State(old), State(rotated), SigningKeyLifecycle.Current(_keys, Now));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var at = (State(old), State(rotated), SigningKeyLifecycle.Current(_keys, Now));

        Assert.Equal((SigningKeyState.Current, SigningKeyState.Next, old), before);
        Assert.Equal((SigningKeyState.Retiring, SigningKeyState.Current, rotated), at);
    }

    [Fact]
    public void Superseded_key_that_signed_nothing_is_removed_at_once()
    {
        var old = Add(currentFrom: Now);
        Add(currentFrom: Now + Delay);

        _clock.Advance(Delay);

        Assert.Equal(SigningKeyState.Removed, State(old));
    }

    [Fact]
    public void Retiring_key_is_removed_only_when_the_last_token_it_signed_has_expired()
    {
        var old = Add(currentFrom: Now) with { SignsUntil = Now + TimeSpan.FromDays(3) };
        _keys[0] = old;
        Add(currentFrom: Now + Delay);

        _clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromSeconds(1));
        var lastSecond = State(old);
        var stillPublished = SigningKeyLifecycle.Published(_keys, Now).Select(key => key.KeyId).ToList();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = State(old);

        Assert.Equal(SigningKeyState.Retiring, lastSecond);
        Assert.Contains(old.KeyId, stillPublished);
        Assert.Equal(SigningKeyState.Removed, expired);
        Assert.DoesNotContain(old.KeyId, SigningKeyLifecycle.Published(_keys, Now).Select(key => key.KeyId));
    }

    [Fact]
    public void Removed_key_is_removed_whatever_its_times_and_the_next_generation_signs()
    {
        var older = Add(currentFrom: Now) with { SignsUntil = Now + TimeSpan.FromDays(30) };
        _keys[0] = older;
        var current = Add(currentFrom: Now) with { RemovedAt = Now };
        _keys[1] = current;

        Assert.Equal(SigningKeyState.Removed, State(current));
        Assert.Equal(SigningKeyState.Current, State(older));
    }

    [Fact]
    public void Published_keys_are_newest_first_and_never_more_than_32()
    {
        for (var i = 0; i < 40; i++)
        {
            Add(currentFrom: Now + Delay);
        }

        var published = SigningKeyLifecycle.Published(_keys, Now);

        Assert.Equal(SigningKeyLifecycle.MaxPublishedKeys, published.Count);
        Assert.Equal(40, published[0].Generation);
    }

    [Theory]
    [InlineData("2026-11-30T12:00:01Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z")]
    public void Signs_until_is_rounded_up_to_the_next_midnight(string expiresAt, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            SigningKeyLifecycle.SignsUntilFor(DateTimeOffset.Parse(expiresAt, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private DateTimeOffset Now => _clock.GetUtcNow();

    private SigningKeyState State(StoredSigningKey key) => SigningKeyLifecycle.StateOf(_keys.Single(k => k.KeyId == key.KeyId), _keys, Now);

    private StoredSigningKey Add(DateTimeOffset currentFrom)
    {
        var generation = SigningKeyLifecycle.NextGeneration(_keys);
        var key = new StoredSigningKey(
            App, generation, $"kid-{generation}", [], new SealedPrivateKey([], [], []), Now, currentFrom, currentFrom, RemovedAt: null);
        _keys.Add(key);
        return key;
    }
}
