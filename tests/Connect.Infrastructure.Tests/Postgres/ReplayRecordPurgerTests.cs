using Connect.Infrastructure.Postgres;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class ReplayRecordPurgerTests
{
    [Fact]
    public async Task Purger_deletes_expired_records_on_its_schedule()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<PostgresClientJwtReplayStore>();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        await store.TryRecordFirstUseAsync(app.Id, revision, "expired", DateTimeOffset.UtcNow.AddSeconds(-5), CancellationToken.None);
        await store.TryRecordFirstUseAsync(app.Id, revision, "live", DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var interval = TimeSpan.FromMinutes(1);
        using var purger = new ReplayRecordPurger(
            store, Options.Create(new PostgresOptions { ReplayPurgeInterval = interval }), clock, NullLogger<ReplayRecordPurger>.Instance);
        await purger.StartAsync(CancellationToken.None);

        // The timer is created on the purger's own task: keep time moving until a round has run.
        var remaining = await WaitForAsync(db.ConnectionString, () => clock.Advance(interval), count => count == 1);
        await purger.StopAsync(CancellationToken.None);

        Assert.Equal(1, remaining);
    }

    [Fact]
    public async Task A_round_deletes_every_expired_record_in_batches()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<PostgresClientJwtReplayStore>();
        var revision = await db.CurrentRevisionAsync(app.Anchor);
        for (var i = 0; i < 7; i++)
        {
            await store.TryRecordFirstUseAsync(app.Id, revision, $"expired-{i}", DateTimeOffset.UtcNow.AddSeconds(-5 - i), CancellationToken.None);
        }

        await store.TryRecordFirstUseAsync(app.Id, revision, "live", DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new PostgresOptions
        {
            ReplayPurgeInterval = TimeSpan.FromMinutes(1),
            ReplayPurgeBatchSize = 2,
            ReplayPurgeBatchPause = TimeSpan.FromSeconds(1),
        };
        using var purger = new ReplayRecordPurger(store, Options.Create(settings), clock, NullLogger<ReplayRecordPurger>.Instance);
        await purger.StartAsync(CancellationToken.None);

        // Start one round, then move time on only by pauses (never another interval): the round alone must run
        // its four statements of at most two.
        await WaitForAsync(db.ConnectionString, () => clock.Advance(settings.ReplayPurgeInterval), count => count is >= 0 and < 8);
        var remaining = await WaitForAsync(db.ConnectionString, () => clock.Advance(settings.ReplayPurgeBatchPause), count => count == 1, attempts: 30);
        await purger.StopAsync(CancellationToken.None);

        Assert.Equal(1, remaining);
    }

    private static async Task<long> WaitForAsync(string connectionString, Action tick, Func<long, bool> done, int attempts = 100)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        long count = -1;
        for (var attempt = 0; attempt < attempts && !done(count); attempt++)
        {
            tick();
            await Task.Delay(50);
            count = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM client_jwt_replays");
        }

        return count;
    }
}
