using Connect.Infrastructure.Migrations;
using Connect.Testing.Postgres;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Tests.Migrations;

public sealed class DatabaseMigratorTests
{
    [Fact]
    public async Task Migrate_from_empty_creates_every_table()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();

        var applied = DatabaseMigrator.Migrate(connectionString);

        Assert.Contains(applied, name => name.EndsWith("0001_initial_schema.sql", StringComparison.Ordinal));
        Assert.Contains(applied, name => name.EndsWith("0002_revocation_audit.sql", StringComparison.Ordinal));
        await using var connection = new NpgsqlConnection(connectionString);
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).ToHashSet();
        Assert.Superset(
            new HashSet<string> { "sectors", "applications", "application_keys", "accounts", "sector_subjects", "sessions", "client_jwt_replays", "revocation_audit" },
            tables);
    }

    [Fact]
    public async Task Migrate_twice_applies_nothing_the_second_time()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        DatabaseMigrator.Migrate(connectionString);

        var applied = DatabaseMigrator.Migrate(connectionString);

        Assert.Empty(applied);
    }

    [Fact]
    public async Task Unreachable_database_fails_with_the_script_name_in_the_message()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync())
        {
            Database = "does_not_exist_" + Guid.NewGuid().ToString("N"),
        }.ConnectionString;

        Assert.ThrowsAny<Exception>(() => DatabaseMigrator.Migrate(connectionString));
    }
}
