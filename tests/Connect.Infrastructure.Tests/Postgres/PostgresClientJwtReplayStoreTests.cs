using Connect.Application.ClientAuthentication;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresClientJwtReplayStoreTests
{
    [Fact]
    public async Task First_use_wins_and_the_second_is_a_replay()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);

        var first = await store.TryRecordFirstUseAsync(app.Id, "jti-1", keepUntil, CancellationToken.None);
        var second = await store.TryRecordFirstUseAsync(app.Id, "jti-1", keepUntil, CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
    }

    [Fact]
    public async Task Same_jti_from_another_application_is_not_a_replay()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var other = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);
        await store.TryRecordFirstUseAsync(app.Id, "shared-jti", keepUntil, CancellationToken.None);

        var otherFirst = await store.TryRecordFirstUseAsync(other.Id, "shared-jti", keepUntil, CancellationToken.None);

        Assert.True(otherFirst);
    }

    [Fact]
    public async Task Concurrent_first_uses_of_one_jti_have_exactly_one_winner()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<IClientJwtReplayStore>();
        var keepUntil = DateTimeOffset.UtcNow.AddMinutes(1);

        var results = await Task.WhenAll(Enumerable.Range(0, 24)
            .Select(_ => Task.Run(() => store.TryRecordFirstUseAsync(app.Id, "race", keepUntil, CancellationToken.None))));

        Assert.Single(results, first => first);
    }

    [Fact]
    public async Task Purge_removes_only_expired_records()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var store = db.Services.GetRequiredService<Connect.Infrastructure.Postgres.PostgresClientJwtReplayStore>();
        await store.TryRecordFirstUseAsync(app.Id, "old", DateTimeOffset.UtcNow.AddSeconds(-1), CancellationToken.None);
        await store.TryRecordFirstUseAsync(app.Id, "live", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);

        var purged = await store.PurgeExpiredAsync(CancellationToken.None);

        Assert.Equal(1, purged);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        Assert.Equal(["live"], await connection.QueryAsync<string>("SELECT jti FROM client_jwt_replays"));
    }
}
