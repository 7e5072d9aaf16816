namespace Connect.Infrastructure.LocalPostgres;

/// <summary>Locates the PostgreSQL server programs (initdb, pg_ctl, postgres).</summary>
public static class LocalPostgresBinaries
{
    public const string EnvironmentVariable = "CONNECT_PG_BIN";

    private const string MissingMessage =
        "PostgreSQL server programs (initdb, pg_ctl) were not found; install the 'postgresql' package (e.g. apt-get install postgresql) or set CONNECT_PG_BIN to their folder.";

    /// <summary>Returns the folder holding initdb, or throws <see cref="LocalPostgresUnavailableException"/>.</summary>
    public static string FindBinDirectory() => FindBinDirectory(Environment.GetEnvironmentVariable(EnvironmentVariable));

    internal static string FindBinDirectory(string? fromEnvironment)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return HasInitdb(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new LocalPostgresUnavailableException(
                    $"{EnvironmentVariable}={fromEnvironment} does not contain initdb; point it at the PostgreSQL bin folder or unset it and install the 'postgresql' package.");
        }

        return FromDebianLayout() ?? FromPgConfig() ?? throw new LocalPostgresUnavailableException(MissingMessage);
    }

    private static bool HasInitdb(string directory) => File.Exists(Path.Combine(directory, "initdb"));

    // Debian/Ubuntu install each major version side by side; prefer the newest.
    private static string? FromDebianLayout()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root)
            .Select(versionDirectory => (
                Version: decimal.TryParse(Path.GetFileName(versionDirectory), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1m,
                Bin: Path.Combine(versionDirectory, "bin")))
            .Where(candidate => candidate.Version >= 0 && HasInitdb(candidate.Bin))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }

    private static string? FromPgConfig()
    {
        try
        {
            // Found once, at startup, from synchronous code that has no context to deadlock.
            var result = ChildProcess.RunAsync(new ProgramCommand("pg_config", ["--bindir"]), CancellationToken.None)
                .GetAwaiter().GetResult();
            var output = result.StandardOutput.Trim();
            return result.ExitCode == 0 && HasInitdb(output) ? output : null;
        }
        catch (Win32Exception)
        {
            // pg_config is not installed.
            return null;
        }
    }
}
