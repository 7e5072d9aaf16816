namespace Connect.Infrastructure.LocalPostgres;

public sealed partial class LocalPostgresCluster
{
    internal const string TemporaryPrefix = "connect-pg-";

    // Names the process that made a throwaway cluster, so a later run can clean up after one that was killed.
    internal const string OwnerFileName = "owner.pid";

    /// <summary>
    /// Where this user's throwaway clusters live: a folder only this user can change (root's under /var/lib,
    /// anyone else's under their own home), so that nobody else can plant a cluster, a link or an owner file
    /// that the clean-up of abandoned clusters would act on. A shared /tmp cannot give that.
    /// </summary>
    public static string TemporaryClustersFolder => ServerAccount.IsRoot
        ? Path.Combine(RelocationRoot, "temporary")
        : Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } data
                ? data
                : throw new LocalPostgresException("No home folder to keep throwaway PostgreSQL clusters in; set HOME."),
            "connect",
            "temporary-clusters");

    /// <summary>
    /// A throwaway cluster in a fresh folder under <see cref="TemporaryClustersFolder"/> on a free port (not
    /// started yet). <see cref="DeleteAsync"/> removes the whole folder. Clusters left behind by this user's
    /// test processes that died are removed first.
    /// </summary>
    public static async Task<LocalPostgresCluster> CreateTemporaryAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = LocalPostgresBinaries.FindBinDirectory();
        var parent = TemporaryClustersFolder;
        if (ServerAccount.IsRoot)
        {
            PrepareRelocationRoot();
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(parent)!);
        }

        ServerAccount.CreatePrivateDirectory(parent);
        await RemoveAbandonedTemporaryClustersAsync(parent, binDirectory, cancellationToken);

        // This process's own folder (the server account may only pass through it to the data folder inside).
        var root = Path.Combine(parent, TemporaryPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        if (Path.Exists(root))
        {
            throw new LocalPostgresException($"{root} already exists.");
        }

        ServerAccount.CreatePrivateDirectory(root);
        await File.WriteAllTextAsync(
            Path.Combine(root, OwnerFileName),
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            cancellationToken);
        return new LocalPostgresCluster(Path.Combine(root, "data"), LoopbackPort.Free(), binDirectory, root);
    }

    private static async Task RemoveAbandonedTemporaryClustersAsync(string parent, string binDirectory, CancellationToken cancellationToken)
    {
        foreach (var folder in Directory.EnumerateFileSystemEntries(parent, TemporaryPrefix + "*"))
        {
            try
            {
                // Never follow a link, whoever put it there: only real folders made by this user are cleaned.
                var ownerFile = Path.Combine(folder, OwnerFileName);
                if (ServerAccount.IsSymbolicLink(folder)
                    || !Directory.Exists(folder)
                    || ServerAccount.IsSymbolicLink(ownerFile)
                    || !File.Exists(ownerFile)
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
                // Being removed concurrently, or not what it should be (a data link): leave it.
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
