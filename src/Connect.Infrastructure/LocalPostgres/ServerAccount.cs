namespace Connect.Infrastructure.LocalPostgres;

/// <summary>
/// The account that owns and runs the server: PostgreSQL refuses to run as root, so a root process
/// hands the server tools to the <c>postgres</c> user; anyone else runs them directly.
/// </summary>
internal static class ServerAccount
{
    public const string PostgresUser = "postgres";

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    private static string RunUser => File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";

    /// <summary>Runs <paramref name="program"/> as the server account.</summary>
    public static Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        if (!IsRoot)
        {
            return ProcessRunner.RunAsync(program, arguments, cancellationToken);
        }

        return ProcessRunner.RunAsync(RunUser, ["-u", PostgresUser, "--", program, .. arguments], cancellationToken);
    }

    public static async Task<ProcessResult> RunCheckedAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        if (!IsRoot)
        {
            return await ProcessRunner.RunCheckedAsync(program, arguments, cancellationToken);
        }

        await EnsurePostgresUserExistsAsync(cancellationToken);
        return await ProcessRunner.RunCheckedAsync(RunUser, ["-u", PostgresUser, "--", program, .. arguments], cancellationToken);
    }

    /// <summary>Whether the server account can reach (traverse) <paramref name="directory"/>.</summary>
    public static async Task<bool> CanTraverseAsync(string directory, CancellationToken cancellationToken)
    {
        if (!IsRoot)
        {
            return true;
        }

        await EnsurePostgresUserExistsAsync(cancellationToken);
        var result = await ProcessRunner.RunAsync(RunUser, ["-u", PostgresUser, "--", "test", "-x", directory], cancellationToken);
        return result.ExitCode == 0;
    }

    /// <summary>Creates <paramref name="directory"/> if needed, owned by the server account with mode 700.</summary>
    public static async Task CreateOwnedDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        if (IsRoot)
        {
            await ProcessRunner.RunCheckedAsync("chown", [$"{PostgresUser}:", directory], cancellationToken);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Hands a file we created over to the server account (no-op unless root).</summary>
    public static async Task GiveFileAsync(string path, CancellationToken cancellationToken)
    {
        if (IsRoot)
        {
            await ProcessRunner.RunCheckedAsync("chown", [$"{PostgresUser}:", path], cancellationToken);
        }
    }

    private static volatile bool postgresUserExists;

    private static async Task EnsurePostgresUserExistsAsync(CancellationToken cancellationToken)
    {
        if (postgresUserExists)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync("id", ["-u", PostgresUser], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresUnavailableException(
                "The 'postgres' system user does not exist; install the 'postgresql' package (e.g. apt-get install postgresql).");
        }

        postgresUserExists = true;
    }
}
