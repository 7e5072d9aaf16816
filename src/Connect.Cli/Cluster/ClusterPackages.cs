namespace Connect.Cli.Cluster;

/// <summary>
/// The Debian packages the cluster runs on: pg_auto_failover for the PostgreSQL version the machine has, and
/// haproxy. Installed with apt-get when missing, as <c>./connect</c> installs PostgreSQL itself.
/// </summary>
internal static class ClusterPackages
{
    public static async Task EnsureInstalledAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var missing = Missing(PostgresVersion(), "/").Select(p => p.Package).ToList();
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

    /// <summary>The PostgreSQL major version whose server programs the machine has ("15" from /usr/lib/postgresql/15/bin).</summary>
    public static string PostgresVersion() => Path.GetFileName(Path.GetDirectoryName(LocalPostgresBinaries.FindBinDirectory()))!;

    /// <summary>
    /// The packages not installed below <paramref name="root"/> ("/" but in tests), each with the file that shows it
    /// is: the one check <c>cluster up</c> and the tests that need a cluster both make.
    /// </summary>
    public static IReadOnlyList<ClusterPackage> Missing(string postgresVersion, string root)
    {
        ClusterPackage[] needed =
        [
            new($"postgresql-{postgresVersion}-auto-failover", $"/usr/share/postgresql/{postgresVersion}/extension/pgautofailover.control"),
            new("pg-auto-failover-cli", "/usr/bin/pg_autoctl"),
            new("haproxy", "/usr/sbin/haproxy"),
        ];
        return [.. needed.Where(p => !File.Exists(Path.Join(root, p.File)))];
    }

    private static async Task RunAsync(System.Diagnostics.ProcessStartInfo start, CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(start, cancellationToken);
        if (exitCode != 0)
        {
            var last = (error + output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            throw new ClusterException($"apt-get {start.ArgumentList[1]} failed with exit code {exitCode}: {last}");
        }
    }
}

/// <summary>A Debian package the cluster needs, and the file whose absence shows it is not installed.</summary>
internal sealed record ClusterPackage(string Package, string File);
