using System.Security.Cryptography;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;

namespace Connect.Application.Tests.SigningKeys;

public sealed class SigningKeyEncryptionTests
{
    private static readonly AppId App = new(Guid.NewGuid());

    private static readonly SigningKeyIdentity Identity = new(
        App, 1, "kid", RandomNumberGenerator.GetBytes(294), SigningKeyIdentity.ToStoredPrecision(DateTimeOffset.UtcNow));

    private readonly SigningKeyEncryption _encryption = For(SigningKeyEncryption.NewKeyEncryptionKey());
    private readonly byte[] _pkcs8 = RandomNumberGenerator.GetBytes(1200);

    [Fact]
    public void Sealed_key_opens_with_the_same_key_encryption_key_application_and_key_id()
    {
        var sealedKey = _encryption.Seal(Identity, _pkcs8);

        Assert.Equal(_pkcs8, _encryption.TryOpen(Identity, sealedKey));
        Assert.NotEqual(_pkcs8, sealedKey.Ciphertext);
    }

    [Fact]
    public void Another_key_encryption_key_does_not_open_it()
    {
        var sealedKey = _encryption.Seal(Identity, _pkcs8);

        Assert.Null(For(SigningKeyEncryption.NewKeyEncryptionKey()).TryOpen(Identity, sealedKey));
    }

    [Fact]
    public void Ciphertext_moved_to_another_application_or_key_id_does_not_open()
    {
        var sealedKey = _encryption.Seal(Identity, _pkcs8);

        Assert.Null(_encryption.TryOpen(Identity with { Application = new AppId(Guid.NewGuid()) }, sealedKey));
        Assert.Null(_encryption.TryOpen(Identity with { KeyId = "other-kid" }, sealedKey));
    }

    [Fact]
    public void Seal_does_not_open_once_a_database_writer_swapped_the_public_key_generation_or_creation_time()
    {
        var sealedKey = _encryption.Seal(Identity, _pkcs8);
        var attackerKey = (byte[])Identity.PublicKeySpki.Clone();
        attackerKey[^1] ^= 1;

        Assert.Null(_encryption.TryOpen(Identity with { PublicKeySpki = attackerKey }, sealedKey));
        Assert.Null(_encryption.TryOpen(Identity with { Generation = 2 }, sealedKey));
        Assert.Null(_encryption.TryOpen(Identity with { CreatedAt = Identity.CreatedAt.AddTicks(10) }, sealedKey));
    }

    [Fact]
    public void Planted_row_with_a_sealed_key_copied_from_a_genuine_row_is_not_authentic()
    {
        var genuine = new SigningKeyFactory(_encryption).Create(App, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        using var attacker = RSA.Create(2048);

        var planted = genuine with
        {
            Generation = 2,
            KeyId = SigningKeyFactory.Thumbprint(attacker.ExportParameters(includePrivateParameters: false)),
            PublicKeySpki = attacker.ExportSubjectPublicKeyInfo(),
        };

        Assert.True(_encryption.IsAuthentic(genuine));
        Assert.False(_encryption.IsAuthentic(planted));
        Assert.False(_encryption.IsAuthentic(genuine with { PublicKeySpki = attacker.ExportSubjectPublicKeyInfo() }));
        Assert.False(For(SigningKeyEncryption.NewKeyEncryptionKey()).IsAuthentic(genuine));
    }

    [Fact]
    public void Key_encryption_key_id_tells_two_keys_apart_and_is_stored_with_every_key_it_seals()
    {
        var kek = SigningKeyEncryption.NewKeyEncryptionKey();

        var encryption = For(kek);
        var stored = new SigningKeyFactory(encryption).Create(App, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

        Assert.Matches("^[0-9a-f]{16}$", encryption.KeyEncryptionKeyId);
        Assert.Equal(SigningKeyEncryption.IdOf(kek), encryption.KeyEncryptionKeyId);
        Assert.NotEqual(_encryption.KeyEncryptionKeyId, encryption.KeyEncryptionKeyId);
        Assert.Equal(encryption.KeyEncryptionKeyId, stored.KeyEncryptionKeyId);
        Assert.DoesNotContain(encryption.KeyEncryptionKeyId!, kek, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_ciphertext_does_not_open()
    {
        var sealedKey = _encryption.Seal(Identity, _pkcs8);
        sealedKey.Ciphertext[10] ^= 1;

        Assert.Null(_encryption.TryOpen(Identity, sealedKey));
    }

    [Fact]
    public void Stored_key_opens_into_a_private_key_whose_signatures_its_public_key_verifies()
    {
        var stored = new SigningKeyFactory(_encryption).Create(App, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var data = "signing input"u8.ToArray();

        var opened = _encryption.OpenSigningKey(stored);
        using var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(stored.PublicKeySpki, out _);

        Assert.Equal(stored.KeyId, opened.KeyId);
        Assert.True(publicKey.VerifyData(
            data, opened.PrivateKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Stored_key_under_another_key_encryption_key_is_unavailable_and_named_without_key_material()
    {
        var stored = new SigningKeyFactory(_encryption).Create(App, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

        var failure = Assert.Throws<SigningKeysUnavailableException>(
            () => For(SigningKeyEncryption.NewKeyEncryptionKey()).OpenSigningKey(stored));

        Assert.Contains(stored.KeyId, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(stored.PrivateKey.Ciphertext), failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Malformed_key_encryption_key_is_a_configuration_problem_that_never_shows_the_value(string configured)
    {
        var encryption = For(configured);

        Assert.False(encryption.IsConfigured);
        Assert.Equal("Connect:SigningKeys:KeyEncryptionKey must be 32 bytes in standard base64", encryption.ConfigurationProblem);
        var failure = Assert.Throws<SigningKeysUnavailableException>(() => encryption.Seal(Identity, _pkcs8));
        Assert.DoesNotContain(configured, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_key_encryption_key_nothing_is_sealed()
    {
        var encryption = For(null);

        Assert.Null(encryption.ConfigurationProblem);
        var failure = Assert.Throws<SigningKeysUnavailableException>(() => encryption.Seal(Identity, _pkcs8));
        Assert.Contains("no key-encryption key is configured", failure.Message, StringComparison.Ordinal);
    }

    private static SigningKeyEncryption For(string? keyEncryptionKey) =>
        new(Options.Create(new SigningKeyOptions { KeyEncryptionKey = keyEncryptionKey }));
}
