using System.Diagnostics;

namespace Connect.Cli.Cluster;

/// <summary>
/// How the cluster's programs are started: each in a session of its own, so that a Ctrl-C in the terminal
/// reaches only <c>cluster up</c>, which then stops them in order; PostgreSQL's programs as the
/// <c>postgres</c> user when we are root (the server refuses root). <c>setsid</c> and <c>setpriv</c> replace
/// themselves with the program, so the process we hold is the program itself and its id is the one we report.
/// </summary>
internal static class ClusterProgram
{
    public const string PostgresUser = "postgres";

    /// <summary>haproxy's own user (the Debian package makes it; else nobody): the front never runs as root.</summary>
    public const string HaproxyUser = "haproxy";

    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, bool asPostgres, IReadOnlyDictionary<string, string>? environment = null) =>
        StartInfoAs(asPostgres ? PostgresUser : null, program, arguments, environment);

    /// <summary>As <paramref name="user"/> (in <paramref name="group"/>, by default the group of its name) when we are root and one is named; as ourselves otherwise.</summary>
    public static ProcessStartInfo StartInfoAs(
        string? user, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? group = null)
    {
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres user may not be able to enter our current directory.
            WorkingDirectory = "/",
        };
        if (user is not null && Environment.IsPrivilegedProcess)
        {
            foreach (var argument in (string[])["setpriv", $"--reuid={user}", $"--regid={group ?? user}", "--init-groups"])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["HOME"] = user == PostgresUser ? "/var/lib/postgresql" : "/";
            start.Environment["USER"] = user;
        }

        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>
    /// Runs a short command to its end and returns its exit code and output. <paramref name="input"/> goes to its
    /// standard input: a pipe, which no other user can read (a secret given on the command line is visible in ps).
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(ProcessStartInfo start, CancellationToken cancellationToken, string? input = null)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Sends a signal by number (15 TERM, 9 KILL) through kill(1): .NET only offers SIGKILL. A negative id names a
    /// process group; 0, 1 and -1 (everything) are refused outright. With <paramref name="asUser"/> (when root) the
    /// signal is sent as that user, so it can reach only that user's processes.
    /// </summary>
    public static async Task SignalAsync(int pid, int signal, string? asUser = null)
    {
        if (pid is >= -1 and <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "not a process this cluster started");
        }

        var start = StartInfoAs(asUser, "kill", []);
        start.ArgumentList.Add($"-{signal}");
        // A negative id names a process group.
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        await process.WaitForExitAsync();
    }

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
