namespace Connect.Infrastructure.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster on 127.0.0.1: the CLI's embedded database (<see cref="ForCheckout"/>)
/// and the throwaway servers of tests (<see cref="CreateTemporaryAsync"/>).
/// Not thread-safe: callers serialize Start/Stop/Delete.
/// </summary>
public sealed partial class LocalPostgresCluster
{
    public const int DefaultPort = 5433;
    public const string Superuser = "postgres";

    // Where root keeps data that the postgres user could not reach at the requested place: root's own folder
    // (mode 711), so the postgres user can reach its data folder inside but plant nothing beside it.
    internal const string RelocationRoot = "/var/lib/connect";

    // Where earlier versions kept it: inside /var/lib/postgresql, which the postgres user owns and can rearrange.
    internal const string LegacyRelocationRoot = "/var/lib/postgresql/connect";
    private const string LogFileName = "server.log";
    private const string VersionFileName = "PG_VERSION";

    private readonly string? temporaryRoot;
    private string? password;
    // Test classes ensure their databases in parallel on one cluster: one of them makes the role and its password.
    private readonly Lock serviceRoleLock = new();
    private Task<string>? serviceRole;
    private bool started;

    /// <param name="dataDirectory">Where the data lives (or a symlink to it, which this class may create).</param>
    /// <param name="port">TCP port on 127.0.0.1.</param>
    /// <param name="binDirectory">Folder with initdb and pg_ctl; found with <see cref="LocalPostgresBinaries"/> when null.</param>
    public LocalPostgresCluster(string dataDirectory, int port = DefaultPort, string? binDirectory = null)
        : this(dataDirectory, port, binDirectory, temporaryRoot: null)
    {
    }

    private LocalPostgresCluster(string dataDirectory, int port, string? binDirectory, string? temporaryRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        DataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        PasswordFile = DataDirectory + ".password";
        ServicePasswordFile = DataDirectory + ".service-password";
        Port = port;
        BinDirectory = binDirectory ?? LocalPostgresBinaries.FindBinDirectory();
        this.temporaryRoot = temporaryRoot;
    }

    /// <summary>The requested data folder (absolute); may be a symlink to <see cref="RealDataDirectory"/>.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// Where the data really is: root's relocated folder when <see cref="DataDirectory"/> is the link root made to
    /// it. Any other link is refused (<see cref="LocalPostgresException"/>), never followed.
    /// </summary>
    public string RealDataDirectory => ServerAccount.IsSymbolicLink(DataDirectory) ? RelocatedDataDirectory() : DataDirectory;

    /// <summary>The superuser's password, one line, mode 600, beside <see cref="DataDirectory"/>.</summary>
    public string PasswordFile { get; }

    /// <summary>The service role's password (<see cref="ServiceConnectionString"/>), one line, mode 600.</summary>
    public string ServicePasswordFile { get; }

    public string LogFile => Path.Combine(RealDataDirectory, LogFileName);

    public int Port { get; private set; }

    public string BinDirectory { get; }

    /// <summary>The CLI's embedded database: <c>&lt;checkout&gt;/.data/postgres</c>.</summary>
    public static LocalPostgresCluster ForCheckout(string checkoutRoot, int port = DefaultPort) =>
        new(Path.Combine(checkoutRoot, ".data", "postgres"), port);

    /// <summary>Creates the cluster if needed and starts it unless it is already running.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var dataDirectory = await PrepareDataDirectoryAsync(cancellationToken);
        await InitializeAsync(dataDirectory, cancellationToken);
        if (await IsRunningAsync(dataDirectory, cancellationToken))
        {
            started = true;
            return;
        }

        RemoveStaleLockFile(dataDirectory);
        if (!LoopbackPort.IsFree(Port))
        {
            // A fresh throwaway cluster can just take another port; anyone else must hear about it.
            if (temporaryRoot is null || started)
            {
                throw new LocalPostgresPortInUseException(Port);
            }

            Port = LoopbackPort.Free();
        }

        var logFile = Path.Combine(dataDirectory, LogFileName);
        string[] arguments = ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile, "-o", ServerOptions(dataDirectory)];
        var result = await ServerAccount.RunAsync(Tool("pg_ctl"), arguments, cancellationToken);
        if (result.ExitCode != 0 && !await IsRunningAsync(dataDirectory, cancellationToken))
        {
            throw new LocalPostgresException(
                $"PostgreSQL did not start on 127.0.0.1:{Port} (pg_ctl exit code {result.ExitCode}: {result.Summary}). "
                + $"Last lines of {logFile}:{Environment.NewLine}{await ServerAccount.ReadServerFileTailAsync(logFile, 20, cancellationToken)}");
        }

        started = true;
    }

    /// <summary>Stops the server (fast shutdown: sessions are cut, data is checkpointed) if it runs.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => StopAsync("fast", cancellationToken);

    /// <summary>
    /// Stops the server as a crash would (immediate shutdown): every process quits at once, no transaction that was
    /// still waiting commits, nothing is checkpointed, and the next start recovers from the WAL.
    /// </summary>
    public Task CrashAsync(CancellationToken cancellationToken = default) => StopAsync("immediate", cancellationToken);

    private async Task StopAsync(string mode, CancellationToken cancellationToken)
    {
        var dataDirectory = RealDataDirectory;
        if (!await IsRunningAsync(dataDirectory, cancellationToken))
        {
            return;
        }

        var result = await ServerAccount.RunAsync(
            Tool("pg_ctl"), ["stop", "-D", dataDirectory, "-m", mode, "-w", "-t", "60"], cancellationToken);
        if (result.ExitCode != 0 && await IsRunningAsync(dataDirectory, cancellationToken))
        {
            throw new LocalPostgresException($"pg_ctl stop failed with exit code {result.ExitCode}: {result.Summary}");
        }
    }

    /// <summary>Stops the server and removes its data, the symlink to it, and the password file. Idempotent.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        var dataDirectory = RealDataDirectory;

        // The data is going anyway, so skip the shutdown checkpoint: test hosts get little time at exit.
        await StopAsync("immediate", cancellationToken);
        if (Directory.Exists(dataDirectory))
        {
            // Guard against a link that was pointed somewhere else: only remove what looks like ours.
            if (!File.Exists(Path.Combine(dataDirectory, VersionFileName)) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
            {
                throw new LocalPostgresException($"Refusing to delete {dataDirectory}: it is not a PostgreSQL data folder.");
            }

            await ServerAccount.DeleteServerDirectoryAsync(dataDirectory, cancellationToken);
        }

        if (ServerAccount.IsSymbolicLink(DataDirectory))
        {
            File.Delete(DataDirectory);
        }

        foreach (var secret in new[] { PasswordFile, ServicePasswordFile }.Where(File.Exists))
        {
            File.Delete(secret);
        }

        if (temporaryRoot is not null && Directory.Exists(temporaryRoot))
        {
            Directory.Delete(temporaryRoot, recursive: true);
        }

        password = null;
        serviceRole = null;
        started = false;
    }

    public Task<bool> IsRunningAsync(CancellationToken cancellationToken = default) =>
        IsRunningAsync(RealDataDirectory, cancellationToken);

    /// <summary>
    /// Connection string for <paramref name="database"/> as the superuser over TCP: for creating databases and
    /// running migrations, never for the service (<see cref="ServiceConnectionString"/>).
    /// </summary>
    public string ConnectionString(string database = "postgres") => Connection(database, Superuser, ReadPassword());

    /// <summary>
    /// Connection string for <paramref name="database"/> as the service role, which may change Connect's rows
    /// and nothing else. <see cref="EnsureDatabaseAsync"/> must have run for the database.
    /// </summary>
    public string ServiceConnectionString(string database) =>
        Connection(
            database,
            ServiceRole.Name,
            serviceRole is { IsCompletedSuccessfully: true } made ? made.Result : ReadSecret(ServicePasswordFile, "service"));

    /// <summary>
    /// Creates database <paramref name="name"/> unless it exists, and the service role unless it exists, and lets
    /// that role use the database's tables, today's and those later migrations create. The server must be running.
    /// </summary>
    public async Task EnsureDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await PostgresDatabases.EnsureDatabaseAsync(ConnectionString("postgres"), name, cancellationToken);
        await EnsureServiceRoleAsync(cancellationToken);
        await ServiceRole.GrantDataAccessAsync(ConnectionString(name), cancellationToken);
    }

    /// <summary>
    /// Creates database <paramref name="name"/> as a copy of <paramref name="template"/>, a database
    /// <see cref="EnsureDatabaseAsync"/> made (then migrated, say) that nobody is connected to, and lets the service
    /// role use it exactly as <see cref="EnsureDatabaseAsync"/> would. The server must be running.
    /// </summary>
    public async Task CopyDatabaseAsync(string template, string name, CancellationToken cancellationToken = default)
    {
        await PostgresDatabases.CopyDatabaseAsync(ConnectionString("postgres"), template, name, cancellationToken);
        await EnsureServiceRoleAsync(cancellationToken);

        // The copy has the template's table grants and default privileges, but not its grants on the database
        // (CONNECT to the role, nothing to PUBLIC): granting again sets those and changes nothing else.
        await ServiceRole.GrantDataAccessAsync(ConnectionString(name), cancellationToken);
    }

    private Task<string> EnsureServiceRoleAsync(CancellationToken cancellationToken)
    {
        lock (serviceRoleLock)
        {
            if (serviceRole is null || serviceRole.IsFaulted || serviceRole.IsCanceled)
            {
                serviceRole = ServiceRole.EnsureAsync(ConnectionString("postgres"), ServicePasswordFile, cancellationToken);
            }

            return serviceRole;
        }
    }

    // Over TCP the password would reach whatever holds the port while the server is down, in clear if it asked
    // for that: require SCRAM, which never sends the password and proves the server knows its verifier.
    private string Connection(string database, string user, string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Password = secret,
            Database = database,
            RequireAuth = "ScramSHA256",
        };
        return builder.ConnectionString;
    }

    private string Tool(string name) => Path.Combine(BinDirectory, name);

    private string ReadPassword() => password ??= ReadSecret(PasswordFile, "superuser");

    private static string ReadSecret(string path, string whose) =>
        File.Exists(path)
            ? SecretFile.Read(path)
            : throw new LocalPostgresException($"No PostgreSQL {whose} password file at {path}; start the cluster and ensure its database first.");

    // The port always comes from here, so a changed Port wins over postgresql.conf. The socket goes into the
    // data folder (psql as the postgres user can use it) when that path is short enough for a socket name and
    // needs no quoting, since pg_ctl hands -o to a shell; otherwise the server is reachable over TCP only.
    private string ServerOptions(string dataDirectory)
    {
        var plainPath = dataDirectory.Length <= 80
            && dataDirectory.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-');
        return string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {(plainPath ? dataDirectory : "''")}");
    }

    private async Task<bool> IsRunningAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(dataDirectory, VersionFileName)))
        {
            return false;
        }

        var status = await ServerAccount.RunAsync(Tool("pg_ctl"), ["status", "-D", dataDirectory], cancellationToken);

        // pg_ctl only asks whether the PID in postmaster.pid is alive; after a crash or reboot it may be someone else's.
        return status.ExitCode == 0 && ReadPostmasterPid(dataDirectory) is { } pid && IsPostgresProcess(pid);
    }

    /// <summary>Removes a postmaster.pid left by a server that is gone, so its PID's new owner cannot block startup.</summary>
    private void RemoveStaleLockFile(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || (ReadPostmasterPid(dataDirectory) is { } pid && IsPostgresProcess(pid)))
        {
            return;
        }

        File.Delete(pidFile);
        File.Delete(Path.Combine(dataDirectory, string.Create(CultureInfo.InvariantCulture, $".s.PGSQL.{Port}.lock")));
    }

    private static int? ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            var firstLine = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsPostgresProcess(int pid)
    {
        if (Directory.Exists("/proc/self"))
        {
            // Linux: "pid (comm) state ..."; a zombie is a server that died but was not reaped yet.
            try
            {
                var stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                return open >= 0 && close > open && close + 2 < stat.Length
                    && stat[(open + 1)..close] == "postgres"
                    && stat[close + 2] is not ('Z' or 'X');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName == "postgres";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
