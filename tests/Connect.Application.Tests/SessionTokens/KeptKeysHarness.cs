using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>
/// What verifies session tokens on faked ports: one application's signing key, kept by a real
/// <see cref="SigningKeyRing"/> over a faked <see cref="ISigningKeyStore"/> at revision 1, the codec, and a fake clock.
/// </summary>
internal sealed class KeptKeysHarness
{
    public const string Issuer = "https://connect.test";

    public static readonly AppId App = new(Guid.Parse("5a0c8f8e-1a64-4cf3-9f3e-4a3a2b1c0d01"));

    public static readonly ApplicationAnchor Anchor = new("acme-app");

    // A 2048-bit key costs up to seconds on a busy machine: one for the whole run, never on disk.
    private static readonly Lazy<(SigningKeyEncryption Encryption, StoredSigningKey Key)> SharedKey = new(() =>
    {
        var encryption = new SigningKeyEncryption(Options.Create(new SigningKeyOptions { KeyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey() }));
        var key = new SigningKeyFactory(encryption).Create(App, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        return (encryption, key);
    });

    public KeptKeysHarness()
    {
        var (encryption, key) = SharedKey.Value;
        Store.ReadRevisionAsync(App, Arg.Any<CancellationToken>()).Returns(1L);
        Store.ReadRevisionAsync(Anchor, Arg.Any<CancellationToken>()).Returns((App, 1L));
        Store.LoadAsync(App, Arg.Any<CancellationToken>()).Returns(new SigningKeySet(App, Anchor, 1, [key with { SignsUntil = DateTimeOffset.MaxValue }]));
        Ring = new SigningKeyRing(Store, encryption, new SigningKeyFactory(encryption), Clock, Options.Create(new SigningKeyOptions()));
        Codec = new SessionTokenCodec(Clock, Options.Create(new SessionTokenOptions { Issuer = Issuer }));
    }

    /// <summary>The application's one signing key.</summary>
    public static StoredSigningKey Key => SharedKey.Value.Key;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000));

    public ISigningKeyStore Store { get; } = Substitute.For<ISigningKeyStore>();

    public SigningKeyRing Ring { get; }

    public SessionTokenCodec Codec { get; }
}
