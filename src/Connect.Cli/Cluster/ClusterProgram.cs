namespace Connect.Cli.Cluster;

/// <summary>
/// How the cluster's programs are started: each in a session of its own, so that a Ctrl-C in the terminal
/// reaches only <c>cluster up</c>, which then stops them in order; PostgreSQL's programs as the
/// <c>postgres</c> user when we are root (the server refuses root): <see cref="ProgramCommand"/> with
/// <see cref="ProgramUser"/>, so the process we hold is the program itself and its id is the one we report.
/// </summary>
internal static class ClusterProgram
{
    public static readonly string PostgresUser = ProgramUser.Postgres.Name;

    /// <summary>haproxy's own user (the Debian package makes it; else nobody): the front never runs as root.</summary>
    public const string HaproxyUser = "haproxy";

    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, bool asPostgres, IReadOnlyDictionary<string, string>? environment = null) =>
        StartInfoAs(asPostgres ? ProgramUser.Postgres : null, program, arguments, environment);

    /// <summary>As <paramref name="user"/> when we are root and one is named; as ourselves otherwise.</summary>
    public static ProcessStartInfo StartInfoAs(
        ProgramUser? user, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        new ProgramCommand(program, arguments)
        {
            User = user,
            OwnSession = true,
            Environment = environment,
            // The postgres user may not be able to enter our current directory.
            WorkingDirectory = "/",
        }.ToStartInfo();

    public static bool IsAlive(int pid)
    {
        // /proc/PID/stat: "pid (comm) state ..."; a zombie has died already.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
