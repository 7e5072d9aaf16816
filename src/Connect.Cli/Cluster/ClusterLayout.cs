namespace Connect.Cli.Cluster;

/// <summary>
/// Where the local high-availability cluster keeps everything (<c>.data/cluster/</c> in the checkout) and the
/// loopback ports its parts listen on. Both <c>cluster up</c> and the commands that inspect or drill a
/// running cluster derive every path and port from here, so they always agree.
/// </summary>
internal sealed class ClusterLayout
{
    public const string FrontHost = "127.0.0.1";
    public const int FrontPort = 5080;
    public const int MonitorPort = 5440;
    public const int FirstNodePort = 5441;
    public const int FirstInstancePort = 5081;
    public const int InstanceCount = 3;
    public const string DatabaseName = "connect";
    public const string DatabaseUser = "postgres";

    /// <summary>The role the instances and the administrative commands use: rows of Connect's tables, nothing else.</summary>
    public const string ServiceUser = "connect_service";

    public static readonly string[] NodeNames = ["node1", "node2"];

    // Root's own folder for data the postgres user could not reach in the checkout (as the embedded database's).
    private const string RelocationRoot = "/var/lib/connect";

    public ClusterLayout(string checkoutRoot)
    {
        DataFolder = Path.Combine(Path.GetFullPath(checkoutRoot), ".data");
        var inCheckout = Path.Combine(DataFolder, "cluster");
        // pg_autoctl runs as postgres, who cannot pass a folder that others may not enter (under /root, or a
        // mktemp -d folder): the cluster then lives in root's /var/lib/connect, under a name derived from the
        // checkout, so that status and drill find the same place.
        Root = Environment.IsPrivilegedProcess && !OthersCanReach(DataFolder)
            ? Path.Combine(RelocationRoot, "cluster-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inCheckout)))[..16])
            : inCheckout;
    }

    /// <summary>The checkout's own <c>.data</c> folder (root's).</summary>
    public string DataFolder { get; }

    public string Root { get; }

    /// <summary>
    /// The key-encryption key of the cluster's token-signing keys: the checkout's own (<c>.data/signing-keys.kek</c>,
    /// root's, mode 600), beside the database's and never in a folder the <c>postgres</c> user owns.
    /// </summary>
    public string KeyEncryptionKey() => Database.EmbeddedKeyEncryptionKey.LoadOrCreate(DataFolder);

    /// <summary>The cluster's key-encryption key if it was ever made; never makes one (a lost KEK is not replaced).</summary>
    public string? ExistingKeyEncryptionKey() =>
        File.Exists(Path.Combine(DataFolder, Database.EmbeddedKeyEncryptionKey.FileName)) ? KeyEncryptionKey() : null;

    /// <summary>
    /// Whether <paramref name="connectionString"/> names this cluster's nodes and database, as the one
    /// <c>cluster status</c> prints does: administrative commands given it work on the cluster as on the embedded
    /// database, with the checkout's key-encryption key and the front's issuer.
    /// </summary>
    public static bool IsClusterConnectionString(string connectionString)
    {
        try
        {
            var given = new NpgsqlConnectionStringBuilder(connectionString);
            var ours = new NpgsqlConnectionStringBuilder(ConnectionString());
            return string.Equals(given.Host, ours.Host, StringComparison.Ordinal) && string.Equals(given.Database, ours.Database, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Whether every existing folder on the way to <paramref name="folder"/> lets others pass (o+x).</summary>
    private static bool OthersCanReach(string folder)
    {
        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
        {
            if (current.Exists && !OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(current.FullName) & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public static string FrontUrl => string.Create(CultureInfo.InvariantCulture, $"http://{FrontHost}:{FrontPort}");

    /// <summary>
    /// The folders the postgres user owns, and the only ones: each node's (its data folder inside, and pg_autoctl's
    /// backup folder beside it, which it renames into place) and pg_autoctl's XDG folder. Everything else under
    /// <see cref="Root"/> is root's, in a folder no one else may write, so nothing root writes can be a planted link.
    /// </summary>
    public IReadOnlyList<string> PostgresFolders => [NodeHome("monitor"), .. NodeNames.Select(NodeHome), XdgRoot];

    public string MonitorData => NodeData("monitor");

    public static string MonitorUri => string.Create(
        CultureInfo.InvariantCulture, $"postgres://autoctl_node@127.0.0.1:{MonitorPort}/pg_auto_failover?sslmode=require");

    /// <summary>pg_autoctl finds its own configuration only under the same XDG folders on every call.</summary>
    public string XdgRoot => Path.Combine(Root, "xdg");

    public string LogDirectory => Path.Combine(Root, "logs");

    public string HaproxyConfig => Path.Combine(Root, "haproxy.cfg");

    /// <summary>What the running <c>cluster up</c> publishes for <c>status</c> and <c>drill</c>.</summary>
    public string StateFile => Path.Combine(Root, "state.json");

    /// <summary>The superuser's password (root's, mode 600): migrations and the service role's upkeep only.</summary>
    public string SuperuserPasswordFile => Path.Combine(Root, "postgres.password");

    /// <summary>The service role's password (root's, mode 600): the instances and the administrative commands.</summary>
    public string ServicePasswordFile => Path.Combine(Root, "connect_service.password");

    /// <summary>
    /// pg_autoctl's password file (PGPASSFILE; the postgres user's, mode 600, in its own folder): the monitor's
    /// <c>autoctl_node</c> and the nodes' <c>pgautofailover_replicator</c>, for every libpq connection pg_autoctl,
    /// pg_basebackup, pg_rewind and the standby's WAL receiver make.
    /// </summary>
    public string PgAutoctlPassFile => Path.Combine(XdgRoot, "pgpass");

    /// <summary>The postgres user's own folder of a node (or of the monitor): its data folder and pg_autoctl's backups.</summary>
    public string NodeHome(string node) => Path.Combine(Root, node);

    public string NodeData(string node) => Path.Combine(NodeHome(node), "pgdata");

    public static int NodePort(int index) => FirstNodePort + index;

    public static int InstancePort(int index) => FirstInstancePort + index;

    public static string InstanceUrl(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"http://{FrontHost}:{InstancePort(index)}");

    /// <summary>While this file exists the supervisor leaves the named process down (a drill's real failover).</summary>
    public string HoldFile(string processName) => Path.Combine(Root, processName + ".hold");

    public string LogFile(string processName) => Path.Combine(LogDirectory, processName + ".log");

    /// <summary>
    /// The one the instances use, as <c>cluster status</c> prints it (without its password): every node, the
    /// writable one chosen at connect time, so that after a failover new connections find the new primary by
    /// themselves. Not <c>primary</c>: a node just promoted is briefly read-only. The service role, SCRAM required
    /// (<see cref="WithServicePassword"/> adds the password from root's file).
    /// </summary>
    public static string ConnectionString() => Nodes(ServiceUser).ConnectionString;

    /// <summary><paramref name="connectionString"/> with the service role's password, unless it carries one.</summary>
    public string WithServicePassword(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { RequireAuth = "ScramSHA256" };
        if (string.IsNullOrEmpty(builder.Password) && string.Equals(builder.Username, ServiceUser, StringComparison.Ordinal) && File.Exists(ServicePasswordFile))
        {
            builder.Password = File.ReadAllText(ServicePasswordFile).Trim();
        }

        return builder.ConnectionString;
    }

    /// <summary>The superuser on the writable node, SCRAM required: for migrations and the service role's upkeep only.</summary>
    public string SuperuserConnectionString()
    {
        var builder = Nodes(DatabaseUser);
        builder.Password = File.ReadAllText(SuperuserPasswordFile).Trim();
        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder Nodes(string user) => new()
    {
        Host = string.Join(',', NodeNames.Select((_, index) => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{NodePort(index)}"))),
        Username = user,
        Database = DatabaseName,
        TargetSessionAttributes = "read-write",
        HostRecheckSeconds = 1,
        Timeout = 3,
        // Over TCP the password would reach whatever holds a node's port while it is down: SCRAM never sends it.
        RequireAuth = "ScramSHA256",
    };
}
