using System.Collections.Concurrent;
using Connect.Infrastructure.LocalPostgres;
using Connect.Infrastructure.Migrations;
using Npgsql;

namespace Connect.Testing.Postgres;

/// <summary>
/// The PostgreSQL server shared by all tests of a test process: a throwaway cluster started on first use and
/// removed when the process exits, or, when <c>ConnectionStrings__Connect</c> is set, that server instead.
/// Every test takes a fresh database of its own, so tests can run in parallel.
/// </summary>
public static class PostgresServer
{
    public const string ExternalServerVariable = "ConnectionStrings__Connect";

    private const string DatabasePrefix = "connect_test_";

    private static LocalPostgresCluster? throwaway;

    private static readonly Lazy<Task<string>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    // Only tracked on an external server; a throwaway cluster disappears whole.
    private static readonly ConcurrentBag<string> ExternalDatabases = [];

    /// <summary>Connection string for the server's maintenance database (may CREATE DATABASE).</summary>
    public static Task<string> GetAdminConnectionStringAsync() => Server.Value;

    /// <summary>Creates a fresh, empty, uniquely named database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var admin = await Server.Value.WaitAsync(ct);
        var name = DatabasePrefix + Guid.NewGuid().ToString("N");
        if (throwaway is { } cluster)
        {
            // Also lets the cluster's service role use it (ServiceConnectionString).
            await cluster.EnsureDatabaseAsync(name, ct);
        }
        else
        {
            await PostgresDatabases.EnsureDatabaseAsync(admin, name, ct);
            ExternalDatabases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>Creates a fresh database and applies all migrations to it.</summary>
    public static async Task<string> CreateMigratedDatabaseAsync(CancellationToken ct = default)
    {
        var connectionString = await CreateDatabaseAsync(ct);
        DatabaseMigrator.Migrate(connectionString);
        return connectionString;
    }

    /// <summary>
    /// <paramref name="connectionString"/>'s database as the throwaway cluster's service role, which may change rows
    /// and nothing else; on an external server, which has no such role, the string itself.
    /// </summary>
    public static string ServiceConnectionString(string connectionString) =>
        throwaway is { } cluster
            ? new NpgsqlConnectionStringBuilder(cluster.ServiceConnectionString(new NpgsqlConnectionStringBuilder(connectionString).Database!)) { Timeout = 30 }.ConnectionString
            : connectionString;

    private static bool IsExternal => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ExternalServerVariable));

    private static async Task<string> StartAsync()
    {
        if (IsExternal)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropExternalDatabases();
            return Environment.GetEnvironmentVariable(ExternalServerVariable)!;
        }

        var cluster = await LocalPostgresCluster.CreateTemporaryAsync();
        // Registered before starting, so a half-started cluster is removed too.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(cluster);
        await cluster.StartAsync();
        throwaway = cluster;
        // The whole suite opens connections in parallel on as few as two cores; a backend may then take longer
        // than the service's 5-second default to start. A slow machine must not fail a test: allow 30 seconds.
        return new NpgsqlConnectionStringBuilder(cluster.ConnectionString("postgres")) { Timeout = 30 }.ConnectionString;
    }

    private static void DeleteQuietly(LocalPostgresCluster cluster)
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            cluster.DeleteAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is LocalPostgresException or IOException or UnauthorizedAccessException)
        {
            // Best effort at exit; the next test run removes clusters whose owner process is gone.
        }
    }

    private static void DropExternalDatabases()
    {
        if (ExternalDatabases.IsEmpty || !Server.IsValueCreated || !Server.Value.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            NpgsqlConnection.ClearAllPools();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var builder = new NpgsqlConnectionStringBuilder(Server.Value.Result) { Pooling = false };
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.OpenAsync(timeout.Token).GetAwaiter().GetResult();
            foreach (var name in ExternalDatabases)
            {
                using var drop = new NpgsqlCommand(
                    $"drop database if exists {PostgresDatabases.QuoteIdentifier(name)} with (force)", connection);
                drop.ExecuteNonQueryAsync(timeout.Token).GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            // Best effort: leftovers are named connect_test_* and harmless.
        }
    }
}
