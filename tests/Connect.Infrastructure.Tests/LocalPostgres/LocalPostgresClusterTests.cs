using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Connect.Infrastructure.LocalPostgres;
using Npgsql;

namespace Connect.Infrastructure.Tests.LocalPostgres;

// PostgreSQL clusters run on Unix-like systems only (file modes, the postgres user).
[UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresClusterTests : IAsyncLifetime
{
    private readonly List<LocalPostgresCluster> clusters = [];
    private readonly List<string> folders = [];

    [Fact]
    public async Task Start_creates_cluster_and_accepts_connections()
    {
        var cluster = await NewTemporaryClusterAsync();

        await cluster.StartAsync();
        await cluster.StartAsync(); // already running: nothing to do

        Assert.True(await cluster.IsRunningAsync());
        Assert.Equal(1, await ScalarAsync<int>(cluster.ConnectionString("postgres"), "select 1"));
        Assert.Equal("127.0.0.1", await ScalarAsync<string>(cluster.ConnectionString("postgres"), "show listen_addresses"));
        Assert.True(File.Exists(Path.Combine(cluster.RealDataDirectory, "PG_VERSION")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cluster.RealDataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.PasswordFile));
        Assert.True((await File.ReadAllTextAsync(cluster.PasswordFile)).Trim().Length >= 32);
    }

    [Fact]
    public async Task Stop_and_start_keeps_data()
    {
        var cluster = await NewTemporaryClusterAsync();
        await cluster.StartAsync();
        var connectionString = cluster.ConnectionString("postgres");
        await ExecuteAsync(connectionString, "create table kept (id int); insert into kept values (42)");

        await cluster.StopAsync();
        Assert.False(await cluster.IsRunningAsync());
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync<int>(connectionString, "select 1"));

        await cluster.StartAsync();
        Assert.Equal(42, await ScalarAsync<int>(connectionString, "select id from kept"));
    }

    [Fact]
    public async Task Start_ignores_stale_postmaster_pid()
    {
        var cluster = await NewTemporaryClusterAsync();
        await cluster.StartAsync();
        await cluster.StopAsync();

        // As after a crash: the lock file names a PID that now belongs to another program (this one).
        await File.WriteAllTextAsync(Path.Combine(cluster.RealDataDirectory, "postmaster.pid"), $"{Environment.ProcessId}\n");
        Assert.False(await cluster.IsRunningAsync());

        await cluster.StartAsync();
        Assert.Equal(1, await ScalarAsync<int>(cluster.ConnectionString("postgres"), "select 1"));
    }

    [RootFact]
    public async Task Data_directory_the_postgres_user_cannot_reach_becomes_a_symlink()
    {
        // Like a checkout that CI cloned into a fresh mktemp -d folder (mode 700, owned by root).
        var checkout = Directory.CreateTempSubdirectory("connect-checkout-").FullName;
        folders.Add(checkout);
        var requested = Path.Combine(checkout, ".data", "postgres");
        var cluster = new LocalPostgresCluster(requested, LoopbackPort.Free());
        clusters.Add(cluster);

        await cluster.StartAsync();

        var real = cluster.RealDataDirectory;
        Assert.NotNull(new DirectoryInfo(requested).LinkTarget);
        Assert.StartsWith("/var/lib/connect/", real, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(requested, "PG_VERSION")));
        Assert.Equal(Path.Combine(checkout, ".data", "postgres.password"), cluster.PasswordFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.PasswordFile));
        await ExecuteAsync(cluster.ConnectionString("postgres"), "create table kept (id int); insert into kept values (7)");

        // A later run (a new process) finds the same data through the link.
        await cluster.StopAsync();
        var again = new LocalPostgresCluster(requested, cluster.Port);
        await again.StartAsync();
        Assert.Equal(real, again.RealDataDirectory);
        Assert.Equal(7, await ScalarAsync<int>(again.ConnectionString("postgres"), "select id from kept"));

        await again.DeleteAsync();
        Assert.False(Directory.Exists(real));
        Assert.False(File.Exists(requested) || Directory.Exists(requested) || new DirectoryInfo(requested).LinkTarget is not null);
        Assert.False(File.Exists(cluster.PasswordFile));
    }

    [Fact]
    public async Task Start_fails_with_one_line_message_when_port_is_taken()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var folder = await NewServerReachableFolderAsync();
        var cluster = new LocalPostgresCluster(Path.Combine(folder, "data"), port);
        clusters.Add(cluster);

        var error = await Assert.ThrowsAsync<LocalPostgresPortInUseException>(() => cluster.StartAsync());

        Assert.Equal(port, error.Port);
        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(await cluster.IsRunningAsync());
    }

    [Fact]
    public async Task Delete_removes_everything()
    {
        var cluster = await NewTemporaryClusterAsync();
        await cluster.StartAsync();
        var connectionString = cluster.ConnectionString("postgres");
        var real = cluster.RealDataDirectory;
        var temporaryRoot = Path.GetDirectoryName(cluster.DataDirectory)!;

        await cluster.DeleteAsync();

        Assert.False(Directory.Exists(real));
        Assert.False(File.Exists(cluster.PasswordFile));
        Assert.False(Directory.Exists(temporaryRoot));
        Assert.False(await cluster.IsRunningAsync());
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync<int>(connectionString, "select 1"));
    }

    [Fact]
    public async Task EnsureDatabase_creates_a_database_once_even_with_an_awkward_name()
    {
        var cluster = await NewTemporaryClusterAsync();
        await cluster.StartAsync();
        const string name = "odd \"name\"; db";

        await cluster.EnsureDatabaseAsync(name);
        await cluster.EnsureDatabaseAsync(name);

        Assert.Equal(name, await ScalarAsync<string>(cluster.ConnectionString(name), "select current_database()"));
    }

    [Fact]
    public void Missing_server_programs_give_a_one_line_install_hint()
    {
        var empty = Directory.CreateTempSubdirectory("connect-no-pg-").FullName;
        folders.Add(empty);

        var error = Assert.Throws<LocalPostgresUnavailableException>(() => LocalPostgresBinaries.FindBinDirectory(empty));

        Assert.Contains("install the 'postgresql' package", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var cluster in clusters)
        {
            await cluster.DeleteAsync();
        }

        foreach (var folder in folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<LocalPostgresCluster> NewTemporaryClusterAsync()
    {
        var cluster = await LocalPostgresCluster.CreateTemporaryAsync();
        clusters.Add(cluster);
        return cluster;
    }

    // A plain folder the server account can use, without the temporary cluster's port juggling.
    private async Task<string> NewServerReachableFolderAsync()
    {
        var scratch = await LocalPostgresCluster.CreateTemporaryAsync();
        var folder = Path.GetDirectoryName(scratch.DataDirectory)!;
        folders.Add(folder);
        return folder;
    }

    private static NpgsqlConnection Open(string connectionString) =>
        new(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = Open(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = Open(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A test that only means something when the tests run as root.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "Only a root process hands the server to the postgres user.";
        }
    }
}
