using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.ClientAuthentication;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresClientJwtReplayStoreTests
{
    [Fact]
    public async Task First_use_wins_and_the_second_is_a_replay()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);

        var first = await store.TryRecordFirstUseAsync(app.Id, revision, "jti-1", keepUntil, CancellationToken.None);
        var second = await store.TryRecordFirstUseAsync(app.Id, revision, "jti-1", keepUntil, CancellationToken.None);

        Assert.Equal(JtiRecording.FirstUse, first);
        Assert.Equal(JtiRecording.Replayed, second);
    }

    [Fact]
    public async Task Same_jti_from_another_application_is_not_a_replay()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var other = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);
        await store.TryRecordFirstUseAsync(
            app.Id, await db.CurrentRevisionAsync(app.Anchor), "shared-jti", keepUntil, CancellationToken.None);

        var otherFirst = await store.TryRecordFirstUseAsync(
            other.Id, await db.CurrentRevisionAsync(other.Anchor), "shared-jti", keepUntil, CancellationToken.None);

        Assert.Equal(JtiRecording.FirstUse, otherFirst);
    }

    [Fact]
    public async Task Concurrent_first_uses_of_one_jti_have_exactly_one_winner()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);

        var results = await Task.WhenAll(Enumerable.Range(0, 24)
            .Select(_ => Task.Run(() => store.TryRecordFirstUseAsync(app.Id, revision, "race", keepUntil, CancellationToken.None))));

        Assert.Single(results, result => result == JtiRecording.FirstUse);
        Assert.All(results, result => Assert.NotEqual(JtiRecording.ApplicationChanged, result));
    }

    [Fact]
    public async Task A_stale_revision_records_nothing_and_says_the_application_changed()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var checkedAgainst = await db.CurrentRevisionAsync(app.Anchor);
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        await db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);

        var stale = await store.TryRecordFirstUseAsync(
            app.Id, checkedAgainst, "jti-1", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var current = await store.TryRecordFirstUseAsync(
            app.Id, await db.CurrentRevisionAsync(app.Anchor), "jti-1", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Equal(JtiRecording.ApplicationChanged, stale);
        Assert.Equal(JtiRecording.FirstUse, current);
    }

    [Fact]
    public async Task A_replay_checked_against_a_stale_revision_is_reported_as_a_change_not_a_replay()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);
        await store.TryRecordFirstUseAsync(app.Id, revision, "jti-1", keepUntil, CancellationToken.None);
        await db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None);

        var again = await store.TryRecordFirstUseAsync(app.Id, revision, "jti-1", keepUntil, CancellationToken.None);

        // The caller must look at the current application first: its key may no longer sign anything.
        Assert.Equal(JtiRecording.ApplicationChanged, again);
    }

    [Fact]
    public async Task Unknown_application_records_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();

        var recording = await store.TryRecordFirstUseAsync(
            new(Guid.NewGuid()), 1, "jti-1", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        Assert.Equal(JtiRecording.ApplicationChanged, recording);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM client_jwt_replays"));
    }

    [Fact]
    public async Task Every_change_to_an_application_or_its_keys_is_a_new_revision()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        using var rsa = RSA.Create(2048);
        var added = ClientPublicKey.FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo());
        var revisions = new List<long> { await db.CurrentRevisionAsync(app.Anchor) };

        await db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        revisions.Add(await db.CurrentRevisionAsync(app.Anchor));
        await db.Applications.SetEnabledAsync(app.Anchor, true, CancellationToken.None);
        revisions.Add(await db.CurrentRevisionAsync(app.Anchor));
        await db.Applications.AddKeyAsync(app.Anchor, added, CancellationToken.None);
        revisions.Add(await db.CurrentRevisionAsync(app.Anchor));
        await db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None);
        revisions.Add(await db.CurrentRevisionAsync(app.Anchor));
        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.ExecuteAsync(
                "DELETE FROM application_keys WHERE application_id = @Id AND key_id = @Key",
                new { Id = app.Id.Value, Key = added.Id.Value });
        }

        revisions.Add(await db.CurrentRevisionAsync(app.Anchor));

        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Count, revisions.Distinct().Count());
    }

    [Fact]
    public async Task Purge_removes_only_expired_records()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        var store = db.Services.GetRequiredService<Connect.Infrastructure.Postgres.PostgresClientJwtReplayStore>();
        await store.TryRecordFirstUseAsync(app.Id, revision, "old", DateTimeOffset.UtcNow.AddSeconds(-1), CancellationToken.None);
        await store.TryRecordFirstUseAsync(app.Id, revision, "live", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        var purged = await store.PurgeExpiredAsync(batchSize: 1000, CancellationToken.None);

        Assert.Equal(1, purged);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        Assert.Equal(["live"], await connection.QueryAsync<string>("SELECT jti FROM client_jwt_replays"));
    }

    [Fact]
    public async Task Purge_deletes_at_most_a_batch_the_longest_expired_first()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        var store = db.Services.GetRequiredService<Connect.Infrastructure.Postgres.PostgresClientJwtReplayStore>();
        var now = DateTimeOffset.UtcNow;
        foreach (var (jti, keepUntil) in new[] { ("third", now.AddSeconds(-10)), ("first", now.AddSeconds(-30)), ("live", now.AddMinutes(1)), ("second", now.AddSeconds(-20)) })
        {
            await store.TryRecordFirstUseAsync(app.Id, revision, jti, keepUntil, CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(db.ConnectionString);
        async Task<string[]> Remaining() => [.. await connection.QueryAsync<string>("SELECT jti FROM client_jwt_replays ORDER BY jti")];

        Assert.Equal(2, await store.PurgeExpiredAsync(batchSize: 2, CancellationToken.None));
        Assert.Equal(["live", "third"], await Remaining());
        Assert.Equal(1, await store.PurgeExpiredAsync(batchSize: 2, CancellationToken.None));
        Assert.Equal(0, await store.PurgeExpiredAsync(batchSize: 2, CancellationToken.None));
        Assert.Equal(["live"], await Remaining());
    }

    [Fact]
    public async Task An_instance_a_minute_behind_the_database_keeps_its_records_until_its_tokens_expire()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        var dataSource = db.Services.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync();
        var databaseNow = new DateTimeOffset(await connection.ExecuteScalarAsync<DateTime>("SELECT now()"), TimeSpan.Zero);
        var behind = new FakeTimeProvider(databaseNow.AddMinutes(-1));
        var store = new Connect.Infrastructure.Postgres.PostgresClientJwtReplayStore(dataSource, behind);
        // A token this instance accepts for 5 more seconds of its clock: kept until its exp plus the 30 s skew.
        var keepUntil = behind.GetUtcNow().AddSeconds(5 + 30);

        Assert.Equal(JtiRecording.FirstUse, await store.TryRecordFirstUseAsync(app.Id, revision, "jti-1", keepUntil, CancellationToken.None));
        await store.PurgeExpiredAsync(batchSize: 1000, CancellationToken.None);
        var replay = await store.TryRecordFirstUseAsync(app.Id, revision, "jti-1", keepUntil, CancellationToken.None);

        Assert.Equal(JtiRecording.Replayed, replay);
        var expiresIn = await connection.ExecuteScalarAsync<TimeSpan>("SELECT expires_at - now() FROM client_jwt_replays");
        Assert.InRange(expiresIn, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(36));
    }
}
