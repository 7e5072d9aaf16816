using System.Globalization;

namespace Connect.Benchmarks.Hosting;

/// <summary>
/// CPU time from /proc/&lt;pid&gt;/stat (utime + stime, all threads of the process). Linux reports clock ticks
/// of USER_HZ, which is 100 on every mainstream build: a 10 ms resolution, fine over seconds of load.
/// </summary>
internal static class ProcessCpu
{
    private const double MicrosecondsPerTick = 1_000_000.0 / 100;

    /// <summary>CPU of one process, in microseconds; null when it is gone.</summary>
    public static double? Of(int pid) => Read(pid) is { } stat ? (stat.UserTicks + stat.SystemTicks) * MicrosecondsPerTick : null;

    /// <summary>
    /// CPU of a PostgreSQL cluster, in microseconds: every live child of the postmaster (backends, autovacuum,
    /// walwriter, ...) plus the postmaster itself including its reaped children, so that a backend that exits
    /// between two readings still counts.
    /// </summary>
    public static double OfPostgres(int postmasterPid)
    {
        long ticks = 0;
        if (Read(postmasterPid) is { } postmaster)
        {
            ticks += postmaster.UserTicks + postmaster.SystemTicks + postmaster.ChildrenUserTicks + postmaster.ChildrenSystemTicks;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Read(pid) is { ParentPid: var parent } child
                && parent == postmasterPid)
            {
                ticks += child.UserTicks + child.SystemTicks;
            }
        }

        return ticks * MicrosecondsPerTick;
    }

    private sealed record Stat(int ParentPid, long UserTicks, long SystemTicks, long ChildrenUserTicks, long ChildrenSystemTicks);

    private static Stat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return new Stat((int)Field(4), Field(14), Field(15), Field(16), Field(17));
    }
}
