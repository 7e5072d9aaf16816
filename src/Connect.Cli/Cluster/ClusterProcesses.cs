namespace Connect.Cli.Cluster;

/// <summary>
/// What <c>/proc</c> says about the cluster's processes. Signals go only to processes found this way from ones the
/// supervisor holds (a parent link the kernel keeps, which no one can forge), never to an id read from a file the
/// postgres user can write (<c>postmaster.pid</c>, pg_autoctl's pid file): a planted <c>1</c> there would be
/// <c>kill -9 -1</c>.
/// </summary>
internal static class ClusterProcesses
{
    /// <summary>The parent's id and the process group of a live (not zombie) process, or null.</summary>
    public static (int Parent, int Group)? Read(int pid)
    {
        try
        {
            // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] is "Z" or "X"
                ? null
                : (int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="pid"/> is alive and a child of <paramref name="parent"/>.</summary>
    public static bool IsChildOf(int pid, int parent) => pid > 1 && Read(pid) is { } process && process.Parent == parent;

    /// <summary>
    /// The postmaster a pg_autoctl runs: among its descendants, the postgres program whose parent is not a postgres
    /// program itself (its backends are). Found from the process tree, not from <c>postmaster.pid</c>.
    /// </summary>
    public static int? PostmasterUnder(int pgAutoctl)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var pid in AllPids())
        {
            if (Read(pid) is { } process)
            {
                if (!children.TryGetValue(process.Parent, out var list))
                {
                    children[process.Parent] = list = [];
                }

                list.Add(pid);
            }
        }

        var queue = new Queue<int>([pgAutoctl]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var child in children.GetValueOrDefault(parent) ?? [])
            {
                if (IsPostgresProgram(child) && !IsPostgresProgram(parent))
                {
                    return child;
                }

                queue.Enqueue(child);
            }
        }

        return null;
    }

    /// <summary>Every live process of session <paramref name="session"/> (a program started with setsid leads its own).</summary>
    public static IReadOnlyList<int> InSession(int session)
    {
        var found = new List<int>();
        foreach (var pid in AllPids())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is not ("Z" or "X") && fields[3] == session.ToString(CultureInfo.InvariantCulture))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // Gone meanwhile.
            }
        }

        return found;
    }

    /// <summary>Every live process whose environment holds <paramref name="entry"/> (<c>NAME=value</c>).</summary>
    public static IReadOnlyList<int> WithEnvironment(string entry)
    {
        var marker = Encoding.UTF8.GetBytes(entry + "\0");
        var found = new List<int>();
        foreach (var pid in AllPids())
        {
            try
            {
                if (pid != Environment.ProcessId && Read(pid) is not null
                    && File.ReadAllBytes($"/proc/{pid}/environ").AsSpan().IndexOf(marker) >= 0)
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return found;
    }

    /// <summary>The user id owning <paramref name="path"/> itself (a link's own owner, never its target's).</summary>
    public static long StatOwner(string path)
    {
        // Called from synchronous checks of the cluster's files, which have no context to deadlock.
        var text = ChildProcess.RunAsync(new ProgramCommand("stat", ["-c", "%u", "--", path]), CancellationToken.None)
            .GetAwaiter().GetResult().StandardOutput;
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    private static bool IsPostgresProgram(int pid)
    {
        try
        {
            return Path.GetFileName(new FileInfo($"/proc/{pid}/exe").LinkTarget) == "postgres";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static IEnumerable<int> AllPids()
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }
}
