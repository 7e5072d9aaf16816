using Connect.Infrastructure.LocalPostgres;

namespace Connect.Cli.Cluster;

/// <summary>
/// The Debian packages the cluster runs on: pg_auto_failover for the PostgreSQL version the machine has, and
/// haproxy. Installed with apt-get when missing, as <c>./connect</c> installs PostgreSQL itself.
/// </summary>
internal static class ClusterPackages
{
    public static async Task EnsureInstalledAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var version = Path.GetFileName(Path.GetDirectoryName(LocalPostgresBinaries.FindBinDirectory()));
        var missing = new List<string>();
        if (!File.Exists($"/usr/share/postgresql/{version}/extension/pgautofailover.control"))
        {
            missing.Add($"postgresql-{version}-auto-failover");
        }

        if (!File.Exists("/usr/bin/pg_autoctl"))
        {
            missing.Add("pg-auto-failover-cli");
        }

        if (!File.Exists("/usr/sbin/haproxy"))
        {
            missing.Add("haproxy");
        }

        if (missing.Count == 0)
        {
            return;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new ClusterException($"the cluster needs the packages {string.Join(' ', missing)}; install them (e.g. sudo apt-get install {string.Join(' ', missing)})");
        }

        await progress.WriteLineAsync($"connect: installing {string.Join(' ', missing)}");
        var apt = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        await RunAsync(ClusterProgram.StartInfo("apt-get", ["update"], asPostgres: false, apt), cancellationToken);
        await RunAsync(ClusterProgram.StartInfo("apt-get", ["install", "-y", "--no-upgrade", .. missing], asPostgres: false, apt), cancellationToken);
    }

    private static async Task RunAsync(System.Diagnostics.ProcessStartInfo start, CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await ClusterProgram.RunAsync(start, cancellationToken);
        if (exitCode != 0)
        {
            var last = (error + output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            throw new ClusterException($"apt-get {start.ArgumentList[1]} failed with exit code {exitCode}: {last}");
        }
    }
}
