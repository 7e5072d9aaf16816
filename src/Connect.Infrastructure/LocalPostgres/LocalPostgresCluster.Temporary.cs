using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Connect.Infrastructure.LocalPostgres;

public sealed partial class LocalPostgresCluster
{
    private const string TemporaryPrefix = "connect-pg-";

    // Names the process that made a throwaway cluster, so a later run can clean up after one that was killed.
    private const string OwnerFileName = "owner.pid";

    /// <summary>
    /// A throwaway cluster in a fresh temp folder on a free port (not started yet). <see cref="DeleteAsync"/>
    /// removes the whole folder. Clusters left behind by test processes that died are removed first.
    /// </summary>
    public static async Task<LocalPostgresCluster> CreateTemporaryAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = LocalPostgresBinaries.FindBinDirectory();
        await RemoveAbandonedTemporaryClustersAsync(binDirectory, cancellationToken);

        string root;
        if (ServerAccount.IsRoot)
        {
            // Under /tmp and owned by postgres: reachable by the server whatever our own TMPDIR is.
            var made = await ServerAccount.RunCheckedAsync("mktemp", ["-d", $"/tmp/{TemporaryPrefix}XXXXXX"], cancellationToken);
            root = made.StandardOutput.Trim();
        }
        else
        {
            root = Directory.CreateTempSubdirectory(TemporaryPrefix).FullName;
        }

        await File.WriteAllTextAsync(
            Path.Combine(root, OwnerFileName),
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            cancellationToken);
        return new LocalPostgresCluster(Path.Combine(root, "data"), GetFreeTcpPort(), binDirectory, root);
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int GetFreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task RemoveAbandonedTemporaryClustersAsync(string binDirectory, CancellationToken cancellationToken)
    {
        var tempRoots = new[] { "/tmp", Path.GetTempPath() }
            .Select(Path.TrimEndingDirectorySeparator)
            .Distinct(StringComparer.Ordinal)
            .Where(Directory.Exists);
        foreach (var folder in tempRoots.SelectMany(root => Directory.EnumerateDirectories(root, TemporaryPrefix + "*")))
        {
            try
            {
                var ownerFile = Path.Combine(folder, OwnerFileName);
                if (!File.Exists(ownerFile)
                    || !int.TryParse(await File.ReadAllTextAsync(ownerFile, cancellationToken), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                    || ProcessExists(owner))
                {
                    continue;
                }

                var abandoned = new LocalPostgresCluster(Path.Combine(folder, "data"), DefaultPort, binDirectory, folder);
                await abandoned.DeleteAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LocalPostgresException)
            {
                // Someone else's, or being removed concurrently: leave it.
            }
        }
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
