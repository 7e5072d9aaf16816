using Connect.Infrastructure.Migrations;
using Connect.Testing.Postgres;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Tests.Migrations;

/// <summary>
/// A migrated test database is a copy of one template migrated once per test process: it must be what migrating
/// an empty database makes, its own, and as usable by the service role.
/// </summary>
public sealed class MigratedTemplateTests
{
    [Fact]
    public async Task Copy_has_every_migration_applied()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);

        var journal = (await connection.QueryAsync<string>("SELECT scriptname FROM schemaversions")).ToHashSet();

        var embedded = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .ToHashSet();
        Assert.Equal(embedded, journal);
        Assert.Empty(DatabaseMigrator.Migrate(connectionString));
    }

    [Fact]
    public async Task Copies_are_independent()
    {
        var first = await PostgresServer.CreateMigratedDatabaseAsync();
        var second = await PostgresServer.CreateMigratedDatabaseAsync();
        await using var one = new NpgsqlConnection(first);
        await using var other = new NpgsqlConnection(second);

        await one.ExecuteAsync("INSERT INTO sectors (id, name) VALUES (gen_random_uuid(), 'only in the first')");

        Assert.Equal(1L, await one.ExecuteScalarAsync<long>("SELECT count(*) FROM sectors WHERE name = 'only in the first'"));
        Assert.Equal(0L, await other.ExecuteScalarAsync<long>("SELECT count(*) FROM sectors"));
    }

    [Fact]
    public async Task Service_role_has_the_same_rights_on_a_copy_as_on_a_database_migrated_from_empty()
    {
        var copy = await PostgresServer.CreateMigratedDatabaseAsync();
        var migrated = await PostgresServer.CreateDatabaseAsync();
        DatabaseMigrator.Migrate(migrated);

        Assert.Equal(await GrantsAsync(migrated), await GrantsAsync(copy));

        // And they are enough to change rows (on an external server, which has no service role, as its own user).
        await using var service = new NpgsqlConnection(PostgresServer.ServiceConnectionString(copy));
        var id = Guid.NewGuid();
        Assert.Equal(1, await service.ExecuteAsync("INSERT INTO sectors (id, name) VALUES (@id, 'by the service')", new { id }));
        Assert.Equal(1, await service.ExecuteAsync("UPDATE sectors SET name = 'changed' WHERE id = @id", new { id }));
        Assert.Equal("changed", await service.ExecuteScalarAsync<string>("SELECT name FROM sectors WHERE id = @id", new { id }));
        Assert.Equal(1, await service.ExecuteAsync("DELETE FROM sectors WHERE id = @id", new { id }));
    }

    // Every privilege that decides what a role may do in the database: on the database itself, the public schema,
    // each table, sequence and function there, and the default privileges of objects yet to be made.
    private static async Task<string[]> GrantsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var grants = await connection.QueryAsync<string>(
            """
            SELECT 'database ' || coalesce(datacl::text, 'default') FROM pg_database WHERE datname = current_database()
            UNION ALL
            SELECT 'schema ' || coalesce(nspacl::text, 'default') FROM pg_namespace WHERE nspname = 'public'
            UNION ALL
            SELECT 'relation ' || relname || ' ' || coalesce(relacl::text, 'default')
            FROM pg_class WHERE relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'function ' || proname || ' ' || coalesce(proacl::text, 'default')
            FROM pg_proc WHERE pronamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'default ' || defaclrole::regrole || ' ' || defaclnamespace::regnamespace || ' ' || defaclobjtype::text || ' ' || defaclacl::text
            FROM pg_default_acl
            ORDER BY 1
            """);
        return grants.ToArray();
    }
}
