using Connect.Testing.Postgres;

namespace Connect.Cli.Tests;

/// <summary>A database that is missing or not migrated is an operator's problem to fix: one line, no stack trace.</summary>
public sealed class DatabaseErrorTests
{
    [Fact]
    public async Task Unmigrated_database_asks_for_a_migration()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();

        var run = await CliDatabase.RunAgainstAsync(connectionString, "account", "create");

        run.AssertFailed("the database has no Connect schema yet; run ./connect migrate first");
    }

    [Fact]
    public async Task Unreachable_database_is_one_line()
    {
        var run = await CliDatabase.RunAgainstAsync(
            "Host=127.0.0.1;Port=1;Username=nobody;Password=none;Database=none;Timeout=5", "account", "create");

        run.AssertFailed("the database could not be reached or refused the command");
    }
}
