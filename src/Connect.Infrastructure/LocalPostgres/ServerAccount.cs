namespace Connect.Infrastructure.LocalPostgres;

/// <summary>
/// The account that owns and runs the server: PostgreSQL refuses to run as root, so a root process
/// hands the server tools to the <c>postgres</c> user (<see cref="ProgramUser.Postgres"/>, the one privilege drop);
/// anyone else runs them directly.
/// </summary>
internal static class ServerAccount
{
    public const string PostgresUser = "postgres";

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Runs <paramref name="program"/> as the server account.</summary>
    public static Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        RunProgramAsync(AsServer(program, arguments), cancellationToken);

    public static async Task<ProcessResult> RunCheckedAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        if (IsRoot)
        {
            await EnsurePostgresUserExistsAsync(cancellationToken);
        }

        return await RunProgramCheckedAsync(AsServer(program, arguments), cancellationToken);
    }

    /// <summary>Whether the server account can reach (traverse) <paramref name="directory"/>.</summary>
    public static async Task<bool> CanTraverseAsync(string directory, CancellationToken cancellationToken)
    {
        if (!IsRoot)
        {
            return true;
        }

        await EnsurePostgresUserExistsAsync(cancellationToken);
        var result = await RunAsync("test", ["-x", directory], cancellationToken);
        return result.ExitCode == 0;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed, owned by the server account with mode 700. The folder must
    /// not be a symbolic link, and its parent must be one only this process's user can change (root never
    /// changes the owner of a path someone else could swap for a link in the meantime).
    /// </summary>
    public static async Task CreateOwnedDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        CreateRealDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (IsRoot)
        {
            // -h: change the entry itself, never what a link there points at.
            await RunProgramCheckedAsync(AsOurselves("chown", ["-h", $"{PostgresUser}:", "--", directory]), cancellationToken);
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed as this process's own folder, which only it may change:
    /// mode 711 for root (the server account may pass through, to a folder of its own inside), 700 otherwise.
    /// </summary>
    public static void CreatePrivateDirectory(string directory)
    {
        CreateRealDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(
                directory,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | (IsRoot ? UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : UnixFileMode.None));
        }
    }

    /// <summary>Hands a file we created over to the server account (no-op unless root).</summary>
    public static async Task GiveFileAsync(string path, CancellationToken cancellationToken)
    {
        if (IsRoot)
        {
            await RunProgramCheckedAsync(AsOurselves("chown", ["-h", $"{PostgresUser}:", "--", path]), cancellationToken);
        }
    }

    /// <summary>
    /// Appends <paramref name="text"/> to a file in a folder the server account owns, as that account: root
    /// writing there would follow a link the account put in the file's place.
    /// </summary>
    public static async Task AppendToServerFileAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (!IsRoot)
        {
            await File.AppendAllTextAsync(path, text, cancellationToken);
            return;
        }

        var result = await RunProgramAsync(AsServer("tee", ["-a", "--", path]), cancellationToken, text);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"Could not append to {path} as the {PostgresUser} user: {result.Summary}");
        }
    }

    /// <summary>The last lines of a file the server account writes (its log), read as that account.</summary>
    public static async Task<string> ReadServerFileTailAsync(string path, int lines, CancellationToken cancellationToken)
    {
        var result = await RunAsync(
            "tail", ["-n", lines.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", path], cancellationToken);
        return result.ExitCode == 0 ? result.StandardOutput.TrimEnd() : $"(log unreadable: {result.Summary})";
    }

    /// <summary>
    /// Deletes a folder the server account owns: its contents as that account (root descending into it would
    /// follow whatever links the account swaps in while it runs), then the emptied folder itself.
    /// </summary>
    public static async Task DeleteServerDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        if (IsSymbolicLink(directory))
        {
            throw new LocalPostgresException($"Refusing to delete {directory}: it is a symbolic link.");
        }

        if (!IsRoot)
        {
            Directory.Delete(directory, recursive: true);
            return;
        }

        // find -delete never follows links; removing the folder itself may fail when its parent is root's.
        await RunAsync("find", [directory, "-mindepth", "1", "-delete"], cancellationToken);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: false);
        }
    }

    /// <summary>Whether <paramref name="path"/> itself is a symbolic link (never follows it).</summary>
    public static bool IsSymbolicLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static void CreateRealDirectory(string directory)
    {
        if (IsSymbolicLink(directory))
        {
            throw new LocalPostgresException($"{directory} is a symbolic link; Connect does not follow links it did not make.");
        }

        Directory.CreateDirectory(directory);
    }

    private static volatile bool postgresUserExists;

    private static async Task EnsurePostgresUserExistsAsync(CancellationToken cancellationToken)
    {
        if (postgresUserExists)
        {
            return;
        }

        var result = await RunProgramAsync(AsOurselves("id", ["-u", PostgresUser]), cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresUnavailableException(
                "The 'postgres' system user does not exist; install the 'postgresql' package (e.g. apt-get install postgresql).");
        }

        postgresUserExists = true;
    }

    // The postgres user may not be able to enter our current directory, and PostgreSQL tools fail then.
    private static ProgramCommand AsServer(string program, IEnumerable<string> arguments) =>
        new(program, arguments) { User = ProgramUser.Postgres, WorkingDirectory = "/" };

    private static ProgramCommand AsOurselves(string program, IEnumerable<string> arguments) =>
        new(program, arguments) { WorkingDirectory = "/" };

    private static async Task<ProcessResult> RunProgramAsync(ProgramCommand command, CancellationToken cancellationToken, string? input = null)
    {
        try
        {
            return await ChildProcess.RunAsync(command, cancellationToken, input);
        }
        catch (Win32Exception e)
        {
            throw new LocalPostgresException($"Could not run {command.Program}: {e.Message}", e);
        }
    }

    private static async Task<ProcessResult> RunProgramCheckedAsync(ProgramCommand command, CancellationToken cancellationToken)
    {
        var result = await RunProgramAsync(command, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"{command.Name} failed with exit code {result.ExitCode}: {result.Summary}");
        }

        return result;
    }
}
