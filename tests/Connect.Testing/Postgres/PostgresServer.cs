using System.Collections.Concurrent;
using Connect.Infrastructure.LocalPostgres;
using Connect.Infrastructure.Migrations;
using Npgsql;

namespace Connect.Testing.Postgres;

/// <summary>
/// The PostgreSQL server shared by all tests of a test process: a throwaway cluster started on first use and
/// removed when the process exits, or, when <c>ConnectionStrings__Connect</c> is set, that server instead.
/// Every test takes a fresh database of its own, so tests can run in parallel. A migrated one is a copy of a
/// template database migrated once per test process, not migrated again each time.
/// </summary>
public static class PostgresServer
{
    public const string ExternalServerVariable = "ConnectionStrings__Connect";

    private const string DatabasePrefix = "connect_test_";

    private static LocalPostgresCluster? throwaway;

    private static readonly Lazy<Task<string>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    // The name of the migrated template, made by the first test that asks for a migrated database; made again by
    // the next one if that failed, so that one slow start under load fails one test, not every later one.
    private static readonly Lock TemplateLock = new();
    private static Task<string>? migratedTemplate;

    // Only tracked on an external server; a throwaway cluster disappears whole.
    private static readonly ConcurrentBag<string> ExternalDatabases = [];

    /// <summary>Connection string for the server's maintenance database (may CREATE DATABASE).</summary>
    public static Task<string> GetAdminConnectionStringAsync() => Server.Value;

    /// <summary>Creates a fresh, empty, uniquely named database and returns its connection string.</summary>
    /// <remarks>For tests of migrations themselves, which need the schema as an older release left it.</remarks>
    public static Task<string> CreateDatabaseAsync(CancellationToken ct = default) =>
        CreateAsync(DatabasePrefix + Guid.NewGuid().ToString("N"), template: null, ct);

    /// <summary>
    /// Creates a fresh database with all migrations applied and returns its connection string: a copy of this
    /// process's migrated template, the same as a database migrated from empty, grants of the service role included.
    /// </summary>
    public static async Task<string> CreateMigratedDatabaseAsync(CancellationToken ct = default)
    {
        return await CreateAsync(DatabasePrefix + Guid.NewGuid().ToString("N"), await TemplateAsync().WaitAsync(ct), ct);
    }

    private static async Task<string> CreateAsync(string name, string? template, CancellationToken ct)
    {
        var admin = await Server.Value.WaitAsync(ct);
        if (throwaway is { } cluster)
        {
            // Also lets the cluster's service role use it (ServiceConnectionString).
            await (template is null ? cluster.EnsureDatabaseAsync(name, ct) : cluster.CopyDatabaseAsync(template, name, ct));
        }
        else
        {
            // Tracked first, so that a database whose creation was cut short is dropped too.
            ExternalDatabases.Add(name);
            await (template is null
                ? PostgresDatabases.EnsureDatabaseAsync(admin, name, ct)
                : PostgresDatabases.CopyDatabaseAsync(admin, template, name, ct));
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static Task<string> TemplateAsync()
    {
        lock (TemplateLock)
        {
            if (migratedTemplate is null || migratedTemplate.IsFaulted || migratedTemplate.IsCanceled)
            {
                migratedTemplate = CreateTemplateAsync();
            }

            return migratedTemplate;
        }
    }

    // Made as any test database is (grants included), migrated once, then closed: PostgreSQL copies a database
    // only while no one else is connected to it, so the migration's connection is not pooled (an idle pooled one
    // would stay open on it), and no later connection is let in.
    private static async Task<string> CreateTemplateAsync()
    {
        var name = DatabasePrefix + "template_" + Guid.NewGuid().ToString("N");
        var connectionString = await CreateAsync(name, template: null, CancellationToken.None);
        DatabaseMigrator.Migrate(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await PostgresDatabases.CloseToConnectionsAsync(await Server.Value, name);
        return name;
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
