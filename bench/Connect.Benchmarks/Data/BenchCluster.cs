using System.Globalization;
using Connect.Infrastructure.LocalPostgres;
using Connect.Infrastructure.Migrations;
using Npgsql;

namespace Connect.Benchmarks.Data;

/// <summary>
/// The harness's throwaway PostgreSQL: a temporary cluster (see <see cref="LocalPostgresCluster"/>) with
/// pg_stat_statements loaded, one migrated database per data size, and a login role of its own for the service
/// so that the service's statements can be counted apart from the harness's.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    public const string ServiceRole = "connect_service"; // the role every local cluster gives the service

    private readonly LocalPostgresCluster _cluster;

    private BenchCluster(LocalPostgresCluster cluster) => _cluster = cluster;

    public bool HasStatementStatistics { get; private set; }

    /// <summary>Whether <see cref="PrewarmAsync"/> can load a database into shared buffers (contrib's pg_prewarm).</summary>
    public bool HasPrewarm { get; private set; }

    public int SharedBuffersMegabytes { get; private set; }

    public string ServerVersion { get; private set; } = "";

    public string BinDirectory => _cluster.BinDirectory;

    public int Port => _cluster.Port;

    public string AdminConnectionString => _cluster.ConnectionString("postgres");

    /// <summary>Creates and starts the cluster. Disposing it stops it and deletes its data, also after a failure.</summary>
    public static async Task<BenchCluster> StartAsync(CancellationToken cancellationToken)
    {
        var cluster = await LocalPostgresCluster.CreateTemporaryAsync(cancellationToken);
        var bench = new BenchCluster(cluster);
        try
        {
            await cluster.StartAsync(cancellationToken);
            bench.SharedBuffersMegabytes = QuarterOfMemoryMegabytes();
            await ExecuteAsync(bench.AdminConnectionString, $"ALTER SYSTEM SET shared_buffers = '{bench.SharedBuffersMegabytes}MB'", cancellationToken);
            var available = await ScalarAsync<long>(
                bench.AdminConnectionString, "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_stat_statements'", cancellationToken);
            if (available > 0)
            {
                await ExecuteAsync(bench.AdminConnectionString, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'", cancellationToken);
            }

            await bench.RestartAsync(cancellationToken);
            if (available > 0)
            {
                await ExecuteAsync(bench.AdminConnectionString, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", cancellationToken);
                bench.HasStatementStatistics = true;
            }

            bench.HasPrewarm = await ScalarAsync<long>(
                bench.AdminConnectionString, "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_prewarm'", cancellationToken) > 0;

            bench.ServerVersion = await ScalarAsync<string>(bench.AdminConnectionString, "SHOW server_version", cancellationToken);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    public string SuperuserConnectionString(string database) => _cluster.ConnectionString(database);

    /// <summary>What the service is given: its own role, and otherwise nothing but Connect's defaults.</summary>
    public string ServiceConnectionString(string database) => _cluster.ServiceConnectionString(database);

    /// <summary>A fresh database with the project's migrations, usable by the service role (its grants come with the database).</summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await _cluster.EnsureDatabaseAsync(name, cancellationToken);
        DatabaseMigrator.Migrate(SuperuserConnectionString(name));
    }

    /// <summary>
    /// A production server flushes the WAL at every commit; the throwaway cluster does not (fsync and
    /// synchronous_commit off). With <c>--durable</c> the measured runs get the durable settings back.
    /// </summary>
    /// <summary>
    /// Production durability for what follows: all three settings take effect on a configuration reload, so the
    /// server keeps its prewarmed shared_buffers (a restart would empty them). The checkpoint makes the data seeded
    /// without fsync durable, so that the measured runs start from the state of a server that always had it.
    /// </summary>
    public async Task MakeDurableAsync(CancellationToken cancellationToken)
    {
        foreach (var setting in new[] { "fsync", "synchronous_commit", "full_page_writes" })
        {
            await ExecuteAsync(AdminConnectionString, $"ALTER SYSTEM SET {setting} = on", cancellationToken);
        }

        await ExecuteAsync(AdminConnectionString, "SELECT pg_reload_conf()", cancellationToken);
        for (var waited = 0; !(await DurabilityAsync(cancellationToken)).Equals("fsync=on, synchronous_commit=on, full_page_writes=on", StringComparison.Ordinal); waited++)
        {
            if (waited == 50)
            {
                throw new InvalidOperationException($"the server did not take the durable settings: {await DurabilityAsync(cancellationToken)}");
            }

            await Task.Delay(100, cancellationToken);
        }

        await ExecuteAsync(AdminConnectionString, "CHECKPOINT", cancellationToken);
    }

    public async Task<string> DurabilityAsync(CancellationToken cancellationToken)
    {
        var settings = new List<string>();
        foreach (var setting in new[] { "fsync", "synchronous_commit", "full_page_writes" })
        {
            settings.Add($"{setting}={await ScalarAsync<string>(AdminConnectionString, $"SHOW {setting}", cancellationToken)}");
        }

        return string.Join(", ", settings);
    }

    /// <summary>
    /// A quarter of the machine's memory, PostgreSQL's usual starting point for a dedicated server, between its
    /// 128 MB default and 8 GB. With the default, the 10-million-token database (~3 GB) was served from the OS
    /// cache a page at a time, and its backends wrote dirty pages out themselves to make room.
    /// </summary>
    private static int QuarterOfMemoryMegabytes()
    {
        var total = File.ReadLines("/proc/meminfo").First(line => line.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kilobytes = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (int)Math.Clamp(kilobytes / 1024 / 4, 128, 8 * 1024);
    }

    /// <summary>
    /// Loads every table and index of <paramref name="database"/> into shared buffers, as a server that has been
    /// answering requests over all accounts for a while holds them; the measured window then does not pay for
    /// first reads that a server in steady state would not do. Returns the megabytes loaded, or null without pg_prewarm.
    /// </summary>
    public async Task<long?> PrewarmAsync(string database, CancellationToken cancellationToken)
    {
        if (!HasPrewarm)
        {
            return null;
        }

        var connectionString = SuperuserConnectionString(database);
        await ExecuteAsync(connectionString, "CREATE EXTENSION IF NOT EXISTS pg_prewarm", cancellationToken);
        var blocks = await ScalarAsync<long>(
            connectionString,
            "SELECT coalesce(sum(pg_prewarm(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't')",
            cancellationToken);
        return blocks * 8 / 1024;
    }

    /// <summary>The postmaster's process id, from postmaster.pid (it changes on restart).</summary>
    public int PostmasterPid()
    {
        var first = File.ReadLines(Path.Combine(_cluster.RealDataDirectory, "postmaster.pid")).First();
        return int.Parse(first, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    public async Task<uint> DatabaseOidAsync(string database, CancellationToken cancellationToken) =>
        await ScalarAsync<uint>(AdminConnectionString, $"SELECT oid FROM pg_database WHERE datname = '{database}'", cancellationToken);

    public async Task<uint> ServiceRoleOidAsync(CancellationToken cancellationToken) =>
        await ScalarAsync<uint>(AdminConnectionString, $"SELECT oid FROM pg_roles WHERE rolname = '{ServiceRole}'", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _cluster.DeleteAsync(CancellationToken.None);
    }

    private async Task RestartAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearAllPools();
        await _cluster.StopAsync(cancellationToken);
        await _cluster.StartAsync(cancellationToken);
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
