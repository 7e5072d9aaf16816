using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using Connect.Infrastructure.Migrations;
using Connect.Testing.Postgres;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Migrations;

/// <summary>0004 turns the refresh_tokens rows of a running installation into sessions, losing none.</summary>
public sealed class SessionsMigrationTests
{
    // The schema as main left it before sessions (0001-0003), filled the way that release filled it.
    private const string SeedOldSchemaSql = """
        INSERT INTO sectors (id) VALUES (@Sector);
        INSERT INTO applications (id, anchor, sector_id) VALUES (@Application, 'shop.example', @Sector);
        INSERT INTO accounts (id) VALUES (@Account);
        INSERT INTO sector_subjects (sector_id, subject, account_id) VALUES (@Sector, 'migrated-subject', @Account);
        INSERT INTO refresh_tokens (account_id, application_id, token_hash, issued_at, expires_at, revoked_at)
        SELECT @Account, @Application, sha256(int4send(n)),
               now() - interval '2 days',
               CASE WHEN n % 5 = 0 THEN now() - interval '1 hour' ELSE now() + interval '30 days' END,
               CASE WHEN n % 7 = 0 THEN now() - interval '1 day' END
          FROM generate_series(1, 500) AS n;
        """;

    [Fact]
    public async Task Refresh_token_rows_become_sessions_with_nothing_lost()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        DatabaseMigrator.Migrate(connectionString, through: "0003");
        var ids = new { Sector = Guid.NewGuid(), Application = Guid.NewGuid(), Account = Guid.NewGuid() };
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.ExecuteAsync(SeedOldSchemaSql, ids);
        }

        var applied = DatabaseMigrator.Migrate(connectionString);

        Assert.Contains(applied, name => name.EndsWith("0004_sessions.sql", StringComparison.Ordinal));
        await using var db = ConnectTestDatabase.For(connectionString);
        await using var read = new NpgsqlConnection(connectionString);
        var rows = await read.QuerySingleAsync<(long Total, long DistinctSids, long DistinctJtis, long Reasons)>("""
            SELECT count(*), count(DISTINCT sid), count(DISTINCT current_jti), count(revoked_reason) FROM sessions
            """);
        Assert.Equal((500L, 500L, 500L, 500L / 7), rows);
        var before = await db.CountSessionsAsync(new AccountId(ids.Account), new AppId(ids.Application));
        // 1..500: every 7th revoked (71); of the rest, every 5th expired (100 - 14 that are also revoked = 86).
        Assert.Equal(new(343, 71, 86), before);
        Assert.True(await read.ExecuteScalarAsync<bool>("""
            SELECT bool_and(rotation_version = 1 AND previous_jti IS NULL AND length(sid) = 43
                            AND rotated_at = date_trunc('second', issued_at))
              FROM sessions
            """));
    }

    [Fact]
    public async Task Revoke_all_counts_migrated_sessions_as_it_counted_tokens()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        DatabaseMigrator.Migrate(connectionString, through: "0003");
        var ids = new { Sector = Guid.NewGuid(), Application = Guid.NewGuid(), Account = Guid.NewGuid() };
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.ExecuteAsync(SeedOldSchemaSql, ids);
        }

        DatabaseMigrator.Migrate(connectionString);
        await using var db = ConnectTestDatabase.For(connectionString);

        var revoked = await db.Services.GetRequiredService<IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(
                new SectorId(ids.Sector), new SectorSubject("migrated-subject"), new AppId(ids.Application), CancellationToken.None);

        Assert.Equal(343, revoked);
        Assert.Equal(new(0, 414, 86), await db.CountSessionsAsync(new AccountId(ids.Account), new AppId(ids.Application)));
    }

    [Fact]
    public async Task The_partial_index_on_active_sessions_survives_the_rename()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);

        var definition = await connection.ExecuteScalarAsync<string>(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'sessions' AND indexname = 'sessions_active'");

        Assert.NotNull(definition);
        Assert.Contains("(account_id, application_id, expires_at) WHERE (revoked_at IS NULL)", definition, StringComparison.Ordinal);
    }
}
