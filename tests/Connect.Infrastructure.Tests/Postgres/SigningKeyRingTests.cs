using System.Security.Cryptography;
using Connect.Application;
using Connect.Application.Administration.RegisterApplication;
using Connect.Application.Administration.RemoveSigningKey;
using Connect.Application.Administration.RotateSigningKey;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Testing.Seeding;
using Dapper;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

/// <summary>
/// The kept copy of the signing keys (<see cref="SigningKeyRing"/>) and the commands that change them, over the real
/// database with a fake clock. Each "instance" is a container of its own over the same database, as two service
/// processes would be.
/// </summary>
public sealed class SigningKeyRingTests : IAsyncLifetime
{
    private const int MaxAgeSeconds = 300;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly string _kek = SigningKeyEncryption.NewKeyEncryptionKey();
    private readonly List<ServiceProvider> _instances = [];
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Registering_creates_the_first_key_current_at_once()
    {
        var instance = Instance();

        var app = await RegisterAsync(instance);
        var current = await Ring(instance).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);

        var key = Assert.Single(await KeysAsync(app));
        Assert.Equal(key.KeyId, current?.KeyId);
        Assert.Equal(1, key.Generation);
    }

    [Fact]
    public async Task Application_registered_before_signing_keys_gets_exactly_one_first_key_when_two_instances_race()
    {
        var legacy = await _db.RegisterApplicationAsync();
        var first = Ring(Instance());
        var second = Ring(Instance());

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).GetCurrentSigningKeyAsync(legacy.Id, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None))));

        var stored = Assert.Single(await KeysAsync(legacy.Id));
        Assert.All(keys, key => Assert.Equal(stored.KeyId, key?.KeyId));
    }

    [Fact]
    public async Task Rotated_key_is_published_at_once_but_signs_only_after_the_max_age_and_the_old_key_then_retires()
    {
        var instance = Instance();
        var ring = Ring(instance);
        var app = await RegisterAsync(instance);
        var old = await ring.GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddHours(1), CancellationToken.None);

        var rotated = await Mediator(instance).Send(new RotateSigningKeyCommand(AnchorOf(app)));
        var beforeDelay = await ring.GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddHours(1), CancellationToken.None);
        var nextPublished = await ring.FindPublishedKeyAsync(app, rotated.Value!.KeyId, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(MaxAgeSeconds - 1));
        var lastSecondBefore = await ring.GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddHours(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var afterDelay = await ring.GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddHours(1), CancellationToken.None);
        var oldStillVerifies = await ring.FindPublishedKeyAsync(app, old!.KeyId, CancellationToken.None);

        Assert.Equal(_clock.GetUtcNow(), rotated.Value.CurrentFrom);
        Assert.Equal(old.KeyId, beforeDelay?.KeyId);
        Assert.NotNull(nextPublished);
        Assert.Equal(old.KeyId, lastSecondBefore?.KeyId);
        Assert.Equal(rotated.Value.KeyId, afterDelay?.KeyId);
        Assert.NotNull(oldStillVerifies);
    }

    [Fact]
    public async Task Retiring_key_is_removed_only_when_the_last_token_it_signed_has_expired()
    {
        var instance = Instance();
        var ring = Ring(instance);
        var app = await RegisterAsync(instance);
        // A token expiring in two days, 12:00 + 2 d: the key's bound is raised to the following midnight.
        var old = await ring.GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddDays(2), CancellationToken.None);
        await Mediator(instance).Send(new RotateSigningKeyCommand(AnchorOf(app)));
        _clock.Advance(TimeSpan.FromSeconds(MaxAgeSeconds));

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 23, 59, 59, TimeSpan.Zero));
        var lastSecond = await ring.FindPublishedKeyAsync(app, old!.KeyId, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var expired = await ring.FindPublishedKeyAsync(app, old.KeyId, CancellationToken.None);

        Assert.NotNull(lastSecond);
        Assert.Null(expired);
    }

    [Fact]
    public async Task Removed_key_is_gone_from_a_second_instance_at_once()
    {
        var first = Instance();
        var second = Instance();
        var app = await RegisterAsync(first);
        var key = await Ring(second).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);
        Assert.NotNull(await Ring(second).FindPublishedKeyAsync(app, key!.KeyId, CancellationToken.None));

        var removed = await Mediator(first).Send(new RemoveSigningKeyCommand(AnchorOf(app), key.KeyId));

        Assert.True(removed.Succeeded);
        Assert.Null(await Ring(second).FindPublishedKeyAsync(app, key.KeyId, CancellationToken.None));
        var replacement = await Ring(second).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);
        Assert.NotEqual(key.KeyId, replacement?.KeyId);
    }

    [Fact]
    public async Task Kept_copy_hands_out_its_own_revision_unread_so_the_callers_statement_can_tell_it_moved_on()
    {
        var first = Instance();
        var second = Instance();
        var app = await RegisterAsync(first);
        var anchor = new ApplicationAnchor(AnchorOf(app));
        var key = await Ring(second).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);
        var neverLoaded = Ring(first).FindKeptPublishedKey(anchor, key!.KeyId);
        var confirmed = await Ring(first).FindPublishedKeyAsync(anchor, key.KeyId, CancellationToken.None);
        var kept = Ring(first).FindKeptPublishedKey(anchor, key.KeyId);

        await Mediator(second).Send(new RemoveSigningKeyCommand(AnchorOf(app), key.KeyId));
        var keptAfterRemoval = Ring(first).FindKeptPublishedKey(anchor, key.KeyId);
        var current = await _db.CurrentRevisionAsync(anchor);
        var reread = await Ring(first).FindPublishedKeyAsync(anchor, key.KeyId, CancellationToken.None);

        Assert.Null(neverLoaded);
        Assert.Equal((app, confirmed!.Value.Revision, key.KeyId), (kept!.Value.Application, kept.Value.Revision, kept.Value.Key.KeyId));
        // Unconfirmed by design: the copy still holds the key, at the revision the database has left behind.
        Assert.Equal(confirmed.Value.Revision, keptAfterRemoval!.Value.Revision);
        Assert.NotEqual(current, keptAfterRemoval.Value.Revision);
        Assert.Equal((current, (object?)null), (reread!.Value.Revision, (object?)reread.Value.Key));
        Assert.Null(Ring(first).FindKeptPublishedKey(anchor, key.KeyId));
        Assert.Null(Ring(first).FindKeptPublishedKey(new ApplicationAnchor(AnchorOf(app) + "x"), key.KeyId));
    }

    [Fact]
    public async Task Removing_the_current_key_promotes_the_next_key_at_once()
    {
        var instance = Instance();
        var app = await RegisterAsync(instance);
        var old = await Ring(instance).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);
        var next = await Mediator(instance).Send(new RotateSigningKeyCommand(AnchorOf(app)));

        await Mediator(instance).Send(new RemoveSigningKeyCommand(AnchorOf(app), old!.KeyId));

        var current = await Ring(instance).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);
        Assert.Equal(next.Value!.KeyId, current?.KeyId);
        Assert.Equal(next.Value.KeyId, Assert.Single(await KeysAsync(app)).KeyId);
    }

    [Fact]
    public async Task Rotation_beyond_32_published_keys_is_refused()
    {
        var instance = Instance();
        var app = await RegisterAsync(instance);
        for (var i = 1; i < SigningKeyLifecycle.MaxPublishedKeys; i++)
        {
            Assert.True((await Mediator(instance).Send(new RotateSigningKeyCommand(AnchorOf(app)))).Succeeded);
        }

        var refused = await Mediator(instance).Send(new RotateSigningKeyCommand(AnchorOf(app)));

        Assert.Equal(
            $"the application '{AnchorOf(app)}' already publishes 32 token-signing keys; remove one or wait for a retiring key to expire",
            refused.Failure?.Message);
        Assert.Equal(32, (await KeysAsync(app)).Count);
    }

    [Fact]
    public async Task Private_keys_in_the_database_are_not_the_key_and_another_key_encryption_key_cannot_open_them()
    {
        var instance = Instance();
        var app = await RegisterAsync(instance);
        var key = await Ring(instance).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None);
        var secret = key!.PrivateKey.ExportParameters(includePrivateParameters: true);
        var wrong = Instance(SigningKeyEncryption.NewKeyEncryptionKey());

        var columns = await RawColumnsAsync(app);

        foreach (var column in columns)
        {
            Assert.False(Contains(column, secret.D!), "a column holds the private exponent");
            Assert.False(Contains(column, secret.P!), "a column holds a prime");
            Assert.False(Contains(column, key.PrivateKey.ExportPkcs8PrivateKey()), "a column holds the PKCS#8 key");
        }

        await Assert.ThrowsAsync<SigningKeysUnavailableException>(() =>
            Ring(wrong).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddMinutes(15), CancellationToken.None));
        Assert.Equal(
            $"the token-signing keys in the database were sealed under the key-encryption key {SigningKeyEncryption.IdOf(_kek)}, not the configured " +
            $"{wrong.GetRequiredService<SigningKeyEncryption>().KeyEncryptionKeyId} (Connect:SigningKeys:KeyEncryptionKey); restore the key-encryption key they were sealed with",
            await wrong.GetRequiredService<SigningKeyStartCheck>().FindProblemAsync(CancellationToken.None));
        Assert.Single(await KeysAsync(app));
        Assert.Equal(
            "the database holds token-signing keys but no key-encryption key is configured (set Connect:SigningKeys:KeyEncryptionKey)",
            await Instance(kek: "").GetRequiredService<SigningKeyStartCheck>().FindProblemAsync(CancellationToken.None));
        Assert.Null(await instance.GetRequiredService<SigningKeyStartCheck>().FindProblemAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Every_change_to_a_signing_key_bumps_the_application_revision()
    {
        var instance = Instance();
        var app = await RegisterAsync(instance);
        var anchor = new ApplicationAnchor(AnchorOf(app));
        var registered = await _db.CurrentRevisionAsync(anchor);

        var key = await Ring(instance).GetCurrentSigningKeyAsync(app, _clock.GetUtcNow().AddDays(1), CancellationToken.None);
        var extended = await _db.CurrentRevisionAsync(anchor);
        var rotated = await Mediator(instance).Send(new RotateSigningKeyCommand(anchor.Value));
        var added = await _db.CurrentRevisionAsync(anchor);
        await Mediator(instance).Send(new RemoveSigningKeyCommand(anchor.Value, rotated.Value!.KeyId));
        var removed = await _db.CurrentRevisionAsync(anchor);

        Assert.NotNull(key);
        Assert.True(registered < extended && extended < added && added < removed, $"{registered} {extended} {added} {removed}");
    }

    private ServiceProvider Instance(string? kek = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Connect"] = _db.ConnectionString,
                ["Connect:SigningKeys:KeyEncryptionKey"] = kek ?? _kek,
                ["Connect:SigningKeys:JwksMaxAgeSeconds"] = MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            .Build();
        var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddConnectApplication()
            .AddConnectInfrastructure()
            .AddSingleton<TimeProvider>(_clock)
            .BuildServiceProvider();
        _instances.Add(provider);
        return provider;
    }

    private static SigningKeyRing Ring(IServiceProvider instance) => instance.GetRequiredService<SigningKeyRing>();

    private static IMediator Mediator(IServiceProvider instance) => instance.GetRequiredService<IMediator>();

    private readonly Dictionary<AppId, string> _anchors = [];

    private string AnchorOf(AppId app) => _anchors[app];

    private async Task<AppId> RegisterAsync(IServiceProvider instance)
    {
        using var client = RSA.Create(2048);
        var anchor = $"app-{Guid.NewGuid():N}";
        var outcome = await Mediator(instance).Send(new RegisterApplicationCommand(anchor, client.ExportSubjectPublicKeyInfoPem(), Sector: null));
        Assert.True(outcome.Succeeded, outcome.ToString());
        var (id, _) = (await _db.Applications.FindAsync(new ApplicationAnchor(anchor), CancellationToken.None))!.Value;
        _anchors[id] = anchor;
        return id;
    }

    private async Task<IReadOnlyList<StoredSigningKey>> KeysAsync(AppId app) =>
        (await _db.Services.GetRequiredService<ISigningKeyStore>().LoadAsync(app, CancellationToken.None))!.Keys
            .Where(key => key.RemovedAt is null).ToList();

    private async Task<List<byte[]>> RawColumnsAsync(AppId app)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        var rows = await connection.QueryAsync<(byte[], byte[], byte[], byte[])>(
            "SELECT public_key_spki, private_key_nonce, private_key_tag, private_key_ciphertext FROM signing_keys WHERE application_id = @Id",
            new { Id = app.Value });
        return [.. rows.SelectMany(row => new[] { row.Item1, row.Item2, row.Item3, row.Item4 })];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
