using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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

        if (IsSymbolicLink(DataDirectory))
        {
            var target = ResolveLink(DataDirectory);
            await EnsureServerDirectoryAsync(target, cancellationToken);
            return target;
        }

        if (await ServerAccount.CanTraverseAsync(parent, cancellationToken))
        {
            await EnsureServerDirectoryAsync(DataDirectory, cancellationToken);
            return DataDirectory;
        }

        // Root working in a folder the postgres user cannot enter (/root, a mktemp -d checkout):
        // keep the data under /var/lib/postgresql and leave a symlink at the requested place.
        if (Directory.Exists(DataDirectory))
        {
            if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            {
                throw new LocalPostgresException(
                    $"The postgres user cannot reach {DataDirectory}, which already holds files; move or delete it.");
            }

            Directory.Delete(DataDirectory);
        }

        var relocated = Path.Combine(RelocationRoot, ShortHash(DataDirectory));
        await ServerAccount.CreateOwnedDirectoryAsync(RelocationRoot, cancellationToken);
        await EnsureServerDirectoryAsync(relocated, cancellationToken);
        Directory.CreateSymbolicLink(DataDirectory, relocated);
        return relocated;
    }

    private static async Task EnsureServerDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        // An initialized cluster keeps its owner and mode; the server itself checks them.
        if (!File.Exists(Path.Combine(directory, VersionFileName)))
        {
            await ServerAccount.CreateOwnedDirectoryAsync(directory, cancellationToken);
        }
    }

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
        WriteSecretFile(PasswordFile, newPassword);
        password = null;

        // initdb runs as the server account, which may not be able to read PasswordFile: give it a copy.
        var passwordCopy = Path.Combine(ServerAccount.IsRoot ? "/tmp" : Path.GetTempPath(), $"connect-pw-{Guid.NewGuid():N}");
        WriteSecretFile(passwordCopy, newPassword);
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

        // Appending keeps the file's owner (the server account).
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

        await File.AppendAllTextAsync(Path.Combine(dataDirectory, "postgresql.conf"), settings, cancellationToken);
    }

    private static void WriteSecretFile(string path, string content)
    {
        // Recreate rather than overwrite so the 600 mode applies even if an older file was looser.
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, Encoding.ASCII, options);
        writer.Write(content);
    }

    private static bool IsSymbolicLink(string path) => new DirectoryInfo(path).LinkTarget is not null;

    private static string ResolveLink(string path) =>
        IsSymbolicLink(path) ? new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path : path;

    private static string ShortHash(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..16];
}
