using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.Administration.AddApplicationKey;
using Connect.Application.Administration.RegisterApplication;
using Connect.Application.Administration.RetireApplicationKey;
using Connect.Application.Administration.SetApplicationEnabled;
using Connect.Application.Audit;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.Administration;

public sealed class ApplicationHandlerTests : IDisposable
{
    private static readonly ApplicationAnchor Anchor = new("app-a");

    private readonly IApplicationRegistry _applications = Substitute.For<IApplicationRegistry>();
    private readonly ISigningKeyStore _signingKeys = Substitute.For<ISigningKeyStore>();
    private readonly IOperatorAuditLog _audit = Substitute.For<IOperatorAuditLog>();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RSA _rsa = RSA.Create(2048);

    private string Pem => _rsa.ExportSubjectPublicKeyInfoPem();

    private RegisterApplicationHandler Register(string? keyEncryptionKey = null)
    {
        var encryption = new SigningKeyEncryption(Options.Create(new SigningKeyOptions
        {
            KeyEncryptionKey = keyEncryptionKey ?? SigningKeyEncryption.NewKeyEncryptionKey(),
        }));
        return new RegisterApplicationHandler(_applications, _signingKeys, new SigningKeyFactory(encryption), encryption, _clock, _audit);
    }

    private KeyId ExpectedKeyId => ClientPublicKey.FromPem(Pem).Id;

    [Fact]
    public async Task Register_without_a_sector_creates_one_named_after_the_anchor()
    {
        var fresh = new SectorId(Guid.NewGuid());
        _applications.CreateSectorAsync(Anchor.Value, Arg.Any<CancellationToken>()).Returns(fresh);
        _applications.RegisterAsync(Anchor, fresh, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>())
            .Returns(new AppId(Guid.NewGuid()));

        var outcome = await Register()
            .Handle(new RegisterApplicationCommand(Anchor.Value, Pem, Sector: null), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(new RegisterApplicationResult(Anchor, fresh, ExpectedKeyId), outcome.Value);
        await _audit.Received(1).RecordAsync(
            new OperatorAuditEvent("application_registered", Anchor, ExpectedKeyId.Value), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Register_creates_the_first_signing_key_current_at_once()
    {
        var fresh = new SectorId(Guid.NewGuid());
        var id = new AppId(Guid.NewGuid());
        _applications.CreateSectorAsync(Anchor.Value, Arg.Any<CancellationToken>()).Returns(fresh);
        _applications.RegisterAsync(Anchor, fresh, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>()).Returns(id);

        var outcome = await Register().Handle(new RegisterApplicationCommand(Anchor.Value, Pem, Sector: null), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        await _signingKeys.Received(1).AddAsync(
            Arg.Is<StoredSigningKey>(key => key.Application == id && key.Generation == 1
                && key.CreatedAt == _clock.GetUtcNow() && key.CurrentFrom == _clock.GetUtcNow() && key.RemovedAt == null),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Register_without_a_key_encryption_key_writes_nothing()
    {
        var handler = new RegisterApplicationHandler(
            _applications, _signingKeys, new SigningKeyFactory(new SigningKeyEncryption(Options.Create(new SigningKeyOptions()))),
            new SigningKeyEncryption(Options.Create(new SigningKeyOptions())), _clock, _audit);

        var failure = await Assert.ThrowsAsync<SigningKeysUnavailableException>(() =>
            handler.Handle(new RegisterApplicationCommand(Anchor.Value, Pem, Sector: null), CancellationToken.None));

        Assert.Contains("no key-encryption key is configured", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_applications.ReceivedCalls());
        Assert.Empty(_signingKeys.ReceivedCalls());
        Assert.Empty(_audit.ReceivedCalls());
    }

    [Fact]
    public async Task Register_into_an_existing_sector_creates_none()
    {
        var sector = new SectorId(Guid.NewGuid());
        _applications.SectorExistsAsync(sector, Arg.Any<CancellationToken>()).Returns(true);
        _applications.RegisterAsync(Anchor, sector, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>())
            .Returns(new AppId(Guid.NewGuid()));

        var outcome = await Register()
            .Handle(new RegisterApplicationCommand(Anchor.Value, Pem, sector), CancellationToken.None);

        Assert.Equal(sector, outcome.Value?.Sector);
        await _applications.DidNotReceiveWithAnyArgs().CreateSectorAsync(default, default);
    }

    [Fact]
    public async Task Register_into_an_unknown_sector_is_refused()
    {
        var sector = new SectorId(Guid.NewGuid());

        var outcome = await Register()
            .Handle(new RegisterApplicationCommand(Anchor.Value, Pem, sector), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownSector, outcome.Failure?.Code);
        Assert.Equal($"no sector has the id {sector}", outcome.Failure?.Message);
        await _applications.DidNotReceiveWithAnyArgs().RegisterAsync(default, default, default!, default);
    }

    [Fact]
    public async Task Register_with_a_taken_anchor_leaves_no_empty_sector_behind()
    {
        _applications.FindAsync(Anchor, Arg.Any<CancellationToken>()).Returns((new AppId(Guid.NewGuid()), new SectorId(Guid.NewGuid())));

        var outcome = await Register()
            .Handle(new RegisterApplicationCommand(Anchor.Value, Pem, Sector: null), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.AnchorTaken, outcome.Failure?.Code);
        await _applications.DidNotReceiveWithAnyArgs().CreateSectorAsync(default, default);
    }

    [Fact]
    public async Task Register_that_loses_the_insert_race_reports_the_anchor_taken()
    {
        var sector = new SectorId(Guid.NewGuid());
        _applications.SectorExistsAsync(sector, Arg.Any<CancellationToken>()).Returns(true);
        _applications.RegisterAsync(Anchor, sector, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>()).Returns((AppId?)null);

        var outcome = await Register()
            .Handle(new RegisterApplicationCommand(Anchor.Value, Pem, sector), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.AnchorTaken, outcome.Failure?.Code);
        Assert.Equal("the anchor 'app-a' is already registered", outcome.Failure?.Message);
    }

    [Fact]
    public async Task Register_with_a_small_key_touches_nothing()
    {
        using var small = RSA.Create(1024);

        var outcome = await Register()
            .Handle(new RegisterApplicationCommand(Anchor.Value, small.ExportSubjectPublicKeyInfoPem(), null), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.InvalidPublicKey, outcome.Failure?.Code);
        Assert.Equal("invalid public key: the RSA key has 1024 bits; at least 2048 are required", outcome.Failure?.Message);
        Assert.Empty(_applications.ReceivedCalls());
    }

    [Fact]
    public async Task Add_key_answers_its_thumbprint()
    {
        _applications.AddKeyAsync(Anchor, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>()).Returns(KeyAddition.Added);

        var outcome = await new AddApplicationKeyHandler(_applications, _audit)
            .Handle(new AddApplicationKeyCommand(Anchor.Value, Pem), CancellationToken.None);

        Assert.Equal(new AddApplicationKeyResult(Anchor, ExpectedKeyId), outcome.Value);
        await _audit.Received(1).RecordAsync(
            new OperatorAuditEvent("client_key_added", Anchor, ExpectedKeyId.Value), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Add_key_that_is_already_active_changes_nothing_and_audits_nothing()
    {
        _applications.AddKeyAsync(Anchor, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>()).Returns(KeyAddition.AlreadyActive);

        var outcome = await new AddApplicationKeyHandler(_applications, _audit)
            .Handle(new AddApplicationKeyCommand(Anchor.Value, Pem), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Empty(_audit.ReceivedCalls());
    }

    [Fact]
    public async Task Add_key_that_was_retired_is_refused_in_one_plain_line()
    {
        _applications.AddKeyAsync(Anchor, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>()).Returns(KeyAddition.Retired);

        var outcome = await new AddApplicationKeyHandler(_applications, _audit)
            .Handle(new AddApplicationKeyCommand(Anchor.Value, Pem), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.KeyRetired, outcome.Failure?.Code);
        Assert.Equal(
            $"the key '{ExpectedKeyId}' of 'app-a' was retired and is never brought back; generate a new key pair",
            outcome.Failure?.Message);
    }

    [Fact]
    public async Task Add_key_beyond_the_cap_is_refused_in_one_plain_line()
    {
        _applications.AddKeyAsync(Anchor, Arg.Any<ClientPublicKey>(), Arg.Any<CancellationToken>()).Returns(KeyAddition.TooManyKeys);

        var outcome = await new AddApplicationKeyHandler(_applications, _audit)
            .Handle(new AddApplicationKeyCommand(Anchor.Value, Pem), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.TooManyKeys, outcome.Failure?.Code);
        Assert.Equal("the application 'app-a' already has 4 active keys; retire one first", outcome.Failure?.Message);
    }

    [Fact]
    public async Task Add_key_to_an_unknown_anchor_is_refused()
    {
        var outcome = await new AddApplicationKeyHandler(_applications, _audit)
            .Handle(new AddApplicationKeyCommand(Anchor.Value, Pem), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
        Assert.Equal("no application has the anchor 'app-a'", outcome.Failure?.Message);
    }

    [Fact]
    public async Task Add_key_that_is_not_RSA_touches_nothing()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var outcome = await new AddApplicationKeyHandler(_applications, _audit)
            .Handle(new AddApplicationKeyCommand(Anchor.Value, ec.ExportSubjectPublicKeyInfoPem()), CancellationToken.None);

        Assert.Equal("invalid public key: not an RSA public key", outcome.Failure?.Message);
        Assert.Empty(_applications.ReceivedCalls());
    }

    [Fact]
    public async Task Retire_key_answers_the_retired_key()
    {
        _applications.RetireKeyAsync(Anchor, new KeyId("kid-1"), Arg.Any<CancellationToken>()).Returns(true);

        var outcome = await new RetireApplicationKeyHandler(_applications, _audit)
            .Handle(new RetireApplicationKeyCommand(Anchor.Value, "kid-1"), CancellationToken.None);

        Assert.Equal(new RetireApplicationKeyResult(Anchor, new KeyId("kid-1")), outcome.Value);
        await _audit.Received(1).RecordAsync(new OperatorAuditEvent("client_key_retired", Anchor, "kid-1"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Retire_key_of_an_unknown_anchor_names_the_anchor()
    {
        var outcome = await new RetireApplicationKeyHandler(_applications, _audit)
            .Handle(new RetireApplicationKeyCommand(Anchor.Value, "kid-1"), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
    }

    [Fact]
    public async Task Retire_an_unknown_or_already_retired_key_names_the_key()
    {
        _applications.FindAsync(Anchor, Arg.Any<CancellationToken>()).Returns((new AppId(Guid.NewGuid()), new SectorId(Guid.NewGuid())));

        var outcome = await new RetireApplicationKeyHandler(_applications, _audit)
            .Handle(new RetireApplicationKeyCommand(Anchor.Value, "kid-1"), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownKey, outcome.Failure?.Code);
        Assert.Equal("the application 'app-a' has no active key 'kid-1'", outcome.Failure?.Message);
        Assert.Empty(_audit.ReceivedCalls());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Set_enabled_answers_the_new_state(bool enabled)
    {
        _applications.SetEnabledAsync(Anchor, enabled, Arg.Any<CancellationToken>()).Returns(true);

        var outcome = await new SetApplicationEnabledHandler(_applications, _audit)
            .Handle(new SetApplicationEnabledCommand(Anchor.Value, enabled), CancellationToken.None);

        Assert.Equal(new SetApplicationEnabledResult(Anchor, enabled), outcome.Value);
        await _audit.Received(1).RecordAsync(
            new OperatorAuditEvent(enabled ? "application_enabled" : "application_disabled", Anchor), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Set_enabled_on_an_unknown_anchor_is_refused()
    {
        var outcome = await new SetApplicationEnabledHandler(_applications, _audit)
            .Handle(new SetApplicationEnabledCommand(Anchor.Value, false), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
        Assert.Empty(_audit.ReceivedCalls());
    }

    public void Dispose() => _rsa.Dispose();
}
