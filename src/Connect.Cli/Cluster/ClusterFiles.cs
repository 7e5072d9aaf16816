namespace Connect.Cli.Cluster;

/// <summary>
/// The files <c>cluster up</c> and <c>cluster drill</c> write in the cluster's root folder (state, haproxy's
/// configuration and error page, hold files, logs). That folder is root's and no one else may write in it; on top
/// of that every file is created anew, exclusively (O_CREAT|O_EXCL, which never follows a link, even a dangling
/// one), after whatever entry had its name is unlinked (unlinking a link removes the link, not what it names).
/// </summary>
internal static class ClusterFiles
{
    /// <summary>Readable by all (haproxy reads its configuration as its own user), writable by the owner only.</summary>
    private const UnixFileMode Published = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="content"/> to a new file at <paramref name="path"/>, replacing any entry there.</summary>
    public static void WriteNew(string path, string content)
    {
        File.Delete(path);
        using var writer = new StreamWriter(CreateExclusive(path));
        writer.Write(content);
    }

    /// <summary>Replaces <paramref name="path"/> whole: a new temporary file, renamed over it (rename replaces the entry, never follows it).</summary>
    public static void Replace(string path, string content)
    {
        var temporary = path + ".tmp";
        WriteNew(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// A new log for one supervised program, kept open across its restarts; the previous run's log is kept
    /// beside it as <c>.previous</c>.
    /// </summary>
    public static StreamWriter NewLog(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Move(path, path + ".previous", overwrite: true);
        }

        return new StreamWriter(CreateExclusive(path)) { AutoFlush = true };
    }

    /// <summary>
    /// Creates <paramref name="folder"/> as this process's own, or checks the one there: a real folder (not a
    /// link), ours, and writable by no one else.
    /// </summary>
    /// <exception cref="ClusterException">It is a link, or someone else's (a cluster made before the postgres user lost the root folder).</exception>
    public static void EnsureOwnFolder(string folder, UnixFileMode mode)
    {
        if (new DirectoryInfo(folder).LinkTarget is not null)
        {
            throw new ClusterException($"{folder} is a symbolic link; the cluster does not follow links it did not make");
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
        }
        else if (!OperatingSystem.IsWindows() && OwnerId(folder) != CurrentUserId())
        {
            throw new ClusterException(
                $"{folder} belongs to another user (a cluster made by an older ./connect gave it to postgres); " +
                $"remove it (rm -rf {folder}) and run ./connect cluster up again");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, mode);
        }
    }

    private static FileStream CreateExclusive(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Published;
        }

        return new FileStream(path, options);
    }

    /// <summary>The owner's user id, from <c>stat</c>'s answer for the entry itself (never what a link names).</summary>
    private static long OwnerId(string path) => ClusterProcesses.StatOwner(path);

    private static long CurrentUserId() => Environment.IsPrivilegedProcess ? 0 : ClusterProcesses.StatOwner("/proc/self");
}
