namespace Connect.Infrastructure.LocalPostgres;

// Creating the data folder and the cluster in it.
public sealed partial class LocalPostgresCluster
{
    /// <summary>Makes sure the server account owns a reachable data folder; returns its real path.</summary>
    private async Task<string> PrepareDataDirectoryAsync(CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(DataDirectory)
            ?? throw new LocalPostgresException($"Cannot keep PostgreSQL data at {DataDirectory}.");
        Directory.CreateDirectory(parent);

        if (ServerAccount.IsSymbolicLink(DataDirectory))
        {
            // Only the link root made to its own folder is used, and never followed: the path is ours, not the link's.
            var relocated = RelocatedDataDirectory();
            PrepareRelocationRoot();
            await EnsureServerDirectoryAsync(relocated, cancellationToken);
            return relocated;
        }

        if (await ServerAccount.CanTraverseAsync(parent, cancellationToken))
        {
            await EnsureServerDirectoryAsync(DataDirectory, cancellationToken);
            return DataDirectory;
        }

        // Root working in a folder the postgres user cannot enter (/root, a mktemp -d checkout): keep the data in
        // root's own folder under /var/lib and leave a symlink at the requested place.
        if (Directory.Exists(DataDirectory))
        {
            if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            {
                throw new LocalPostgresException(
                    $"The postgres user cannot reach {DataDirectory}, which already holds files; move or delete it.");
            }

            Directory.Delete(DataDirectory);
        }

        var relocatedDirectory = ExpectedRelocation(DataDirectory);
        PrepareRelocationRoot();
        await EnsureServerDirectoryAsync(relocatedDirectory, cancellationToken);
        Directory.CreateSymbolicLink(DataDirectory, relocatedDirectory);
        return relocatedDirectory;
    }

    private static async Task EnsureServerDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        if (ServerAccount.IsSymbolicLink(directory))
        {
            throw new LocalPostgresException($"{directory} is a symbolic link; Connect does not follow links it did not make.");
        }

        // An initialized cluster keeps its owner and mode; the server itself checks them.
        if (!File.Exists(Path.Combine(directory, VersionFileName)))
        {
            await ServerAccount.CreateOwnedDirectoryAsync(directory, cancellationToken);
        }
    }

    // /var/lib is root's alone, so nobody else can plant a link at /var/lib/connect or inside it.
    private static void PrepareRelocationRoot() => ServerAccount.CreatePrivateDirectory(RelocationRoot);

    /// <summary>
    /// The folder <see cref="DataDirectory"/>, a symbolic link, stands for: only where root puts relocated data,
    /// and only if the link points exactly there. Any other link is refused, never followed.
    /// </summary>
    private string RelocatedDataDirectory()
    {
        var target = new FileInfo(DataDirectory).LinkTarget;
        var expected = ExpectedRelocation(DataDirectory);
        if (target == expected)
        {
            return expected;
        }

        if (target == Path.Combine(LegacyRelocationRoot, ShortHash(DataDirectory)))
        {
            throw new LocalPostgresException(
                $"{DataDirectory} links to {target}, under a folder the postgres user controls, which Connect no longer follows; "
                + $"as root, run: mv {target} {expected} && ln -sfn {expected} {DataDirectory} (or remove the link to start afresh).");
        }

        throw new LocalPostgresException(
            $"{DataDirectory} is a symbolic link to {target}, which Connect did not make; it is not followed. Remove the link.");
    }

    internal static string ExpectedRelocation(string dataDirectory) => Path.Combine(RelocationRoot, ShortHash(dataDirectory));

    /// <summary>Runs initdb unless the folder already holds a cluster.</summary>
    private async Task InitializeAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, VersionFileName)))
        {
            if (!File.Exists(PasswordFile))
            {
                throw new LocalPostgresException(
                    $"The PostgreSQL data at {DataDirectory} has lost its password file {PasswordFile}; delete the data folder to start afresh.");
            }

            return;
        }

        var newPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        SecretFile.Write(PasswordFile, newPassword);
        password = null;

        // initdb runs as the server account, which may not be able to read PasswordFile: give it a copy.
        var passwordCopy = Path.Combine(ServerAccount.IsRoot ? "/tmp" : Path.GetTempPath(), $"connect-pw-{Guid.NewGuid():N}");
        SecretFile.Write(passwordCopy, newPassword);
        try
        {
            await ServerAccount.GiveFileAsync(passwordCopy, cancellationToken);
            List<string> arguments =
            [
                "-D", dataDirectory, "-U", Superuser, "-E", "UTF8", "--no-locale",
                "--auth-host=scram-sha-256", "--auth-local=peer", $"--pwfile={passwordCopy}",
            ];
            if (temporaryRoot is not null)
            {
                arguments.Add("--no-sync"); // throwaway data: no need to wait for the disk
            }

            await ServerAccount.RunCheckedAsync(Tool("initdb"), arguments, cancellationToken);
        }
        finally
        {
            File.Delete(passwordCopy);
        }

        // Written as the server account, whose folder this is: root would follow a link put in the file's place.
        var settings = string.Join(
            '\n',
            "",
            "# Connect: a private server on the loopback interface (see LocalPostgresCluster).",
            "listen_addresses = '127.0.0.1'",
            string.Create(CultureInfo.InvariantCulture, $"port = {Port}"),
            "unix_socket_directories = ''",
            "max_connections = 100",
            "");
        if (temporaryRoot is not null)
        {
            // Throwaway test data need not survive a power cut; skipping the disk flushes makes tests faster.
            settings += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";

            // Test classes run in parallel, each with a database and pools of its own (and some start two
            // service instances): idle pooled connections alone can pass the usual 100.
            settings += "max_connections = 400\n";
        }

        await ServerAccount.AppendToServerFileAsync(Path.Combine(dataDirectory, "postgresql.conf"), settings, cancellationToken);
    }

    private static string ShortHash(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..16];
}
