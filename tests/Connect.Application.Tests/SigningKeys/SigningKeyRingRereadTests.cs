using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.SigningKeys;

/// <summary>
/// The kept copy trusts the application's revision, which triggers bump. Should a change ever reach the keys without
/// moving it, the copy is read again after a bounded period all the same (the backstop), on the injected clock.
/// </summary>
public sealed class SigningKeyRingRereadTests
{
    private static readonly AppId App = new(Guid.Parse("0b8f3c1e-7d3a-4a50-9c55-1f2e3d4c5b6a"));
    private static readonly ApplicationAnchor Anchor = new("reread-app");

    private static readonly Lazy<(SigningKeyEncryption Encryption, StoredSigningKey Key)> SharedKey = new(() =>
    {
        var encryption = new SigningKeyEncryption(Options.Create(new SigningKeyOptions { KeyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey() }));
        var key = new SigningKeyFactory(encryption).Create(App, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        return (encryption, key with { SignsUntil = DateTimeOffset.MaxValue });
    });

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000));
    private readonly ISigningKeyStore _store = Substitute.For<ISigningKeyStore>();

    [Fact]
    public async Task Key_deleted_without_moving_the_revision_stops_verifying_once_the_reread_period_has_passed()
    {
        var (encryption, key) = SharedKey.Value;
        _store.ReadRevisionAsync(Anchor, Arg.Any<CancellationToken>()).Returns((App, 7L));
        _store.LoadAsync(App, Arg.Any<CancellationToken>()).Returns(new SigningKeySet(App, Anchor, 7, [key]));
        var ring = new SigningKeyRing(
            _store, encryption, new SigningKeyFactory(encryption), _clock,
            Options.Create(new SigningKeyOptions { KeptCopyRereadSeconds = 60 }));
        Assert.NotNull((await ring.FindPublishedKeyAsync(Anchor, key.KeyId, CancellationToken.None))?.Key);

        _store.LoadAsync(App, Arg.Any<CancellationToken>()).Returns(new SigningKeySet(App, Anchor, 7, []));
        _clock.Advance(TimeSpan.FromSeconds(59));
        var withinPeriod = ring.FindKeptPublishedKey(Anchor, key.KeyId);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var keptAfter = ring.FindKeptPublishedKey(Anchor, key.KeyId);
        var confirmedAfter = await ring.FindPublishedKeyAsync(Anchor, key.KeyId, CancellationToken.None);

        Assert.NotNull(withinPeriod);
        Assert.Null(keptAfter);
        Assert.Null(confirmedAfter?.Key);
    }

    [Fact]
    public void Reread_period_defaults_to_a_minute()
    {
        Assert.Equal(60, new SigningKeyOptions().KeptCopyRereadSeconds);
    }
}
