using Connect.Infrastructure.Migrations;
using Connect.Testing.Postgres;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Tests.Migrations;

/// <summary>0015 gives sessions an access lifetime of their own: none for the sessions already there, 60-604800 seconds.</summary>
public sealed class SessionAccessLifetimeMigrationTests
{
    private const string SeedSql = """
        INSERT INTO sectors (id) VALUES (@Sector);
        INSERT INTO applications (id, anchor, sector_id) VALUES (@Application, 'shop.example', @Sector);
        INSERT INTO accounts (id) VALUES (@Account);
        INSERT INTO sessions (account_id, application_id, sid, current_jti, rotated_at, issued_at, expires_at)
        VALUES (@Account, @Application, 'sid-1', 'jti-1', date_trunc('second', now()), date_trunc('second', now()),
                now() + interval '30 days');
        """;

    [Fact]
    public async Task Existing_sessions_keep_the_configured_lifetime_and_only_60_to_604800_seconds_are_stored()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        DatabaseMigrator.Migrate(connectionString, through: "0014");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(SeedSql, new { Sector = Guid.NewGuid(), Application = Guid.NewGuid(), Account = Guid.NewGuid() });

        var applied = DatabaseMigrator.Migrate(connectionString);

        Assert.Contains(applied, name => name.EndsWith("0015_session_access_lifetime.sql", StringComparison.Ordinal));
        Assert.Null(await connection.ExecuteScalarAsync<int?>("SELECT access_token_ttl_seconds FROM sessions WHERE sid = 'sid-1'"));
        foreach (var allowed in new[] { 60, 604_800 })
        {
            Assert.Equal(1, await connection.ExecuteAsync(
                "UPDATE sessions SET access_token_ttl_seconds = @Ttl WHERE sid = 'sid-1'", new { Ttl = allowed }));
        }

        foreach (var refused in new[] { 59, 604_801, 0, -1 })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
                "UPDATE sessions SET access_token_ttl_seconds = @Ttl WHERE sid = 'sid-1'", new { Ttl = refused }));
            Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        }
    }
}
