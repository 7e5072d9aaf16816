using System.Globalization;
using Npgsql;

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

    public static readonly string[] NodeNames = ["node1", "node2"];

    public ClusterLayout(string checkoutRoot)
    {
        Root = Path.Combine(Path.GetFullPath(checkoutRoot), ".data", "cluster");
    }

    public string Root { get; }

    /// <summary>
    /// The key-encryption key of the cluster's token-signing keys: the checkout's own (<c>.data/signing-keys.kek</c>,
    /// root's, mode 600), not a file in <see cref="Root"/>, which the <c>postgres</c> user owns.
    /// </summary>
    public string KeyEncryptionKey() => Database.EmbeddedKeyEncryptionKey.LoadOrCreate(Path.GetDirectoryName(Root)!);

    public static string FrontUrl => string.Create(CultureInfo.InvariantCulture, $"http://{FrontHost}:{FrontPort}");

    public string MonitorData => Path.Combine(Root, "monitor");

    public static string MonitorUri => string.Create(
        CultureInfo.InvariantCulture, $"postgres://autoctl_node@127.0.0.1:{MonitorPort}/pg_auto_failover?sslmode=require");

    /// <summary>pg_autoctl finds its own configuration only under the same XDG folders on every call.</summary>
    public string XdgRoot => Path.Combine(Root, "xdg");

    public string LogDirectory => Path.Combine(Root, "logs");

    public string HaproxyConfig => Path.Combine(Root, "haproxy.cfg");

    /// <summary>What the running <c>cluster up</c> publishes for <c>status</c> and <c>drill</c>.</summary>
    public string StateFile => Path.Combine(Root, "state.json");

    public string NodeData(string node) => Path.Combine(Root, node);

    public static int NodePort(int index) => FirstNodePort + index;

    public static int InstancePort(int index) => FirstInstancePort + index;

    public static string InstanceUrl(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"http://{FrontHost}:{InstancePort(index)}");

    /// <summary>While this file exists the supervisor leaves the named process down (a drill's real failover).</summary>
    public string HoldFile(string processName) => Path.Combine(Root, processName + ".hold");

    public string LogFile(string processName) => Path.Combine(LogDirectory, processName + ".log");

    /// <summary>
    /// The one the instances use: every node, the writable one chosen at connect time, so that after a
    /// failover new connections find the new primary by themselves. Not <c>primary</c>: a node just promoted
    /// is briefly read-only. Trust authentication on loopback only (docs/scaling.md says what production needs).
    /// </summary>
    public static string ConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.Join(',', NodeNames.Select((_, index) => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{NodePort(index)}"))),
            Username = DatabaseUser,
            Database = DatabaseName,
            TargetSessionAttributes = "read-write",
            HostRecheckSeconds = 1,
            Timeout = 3,
        };
        return builder.ConnectionString;
    }
}
