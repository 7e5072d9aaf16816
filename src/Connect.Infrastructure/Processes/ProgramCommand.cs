namespace Connect.Infrastructure.Processes;

/// <summary>
/// One program to run, as every part of Connect starts one (the embedded PostgreSQL's tools, the local cluster's
/// programs, the bench's servers and pgbench, the tests' service processes): an argument list, never a shell
/// string; the environment changes; a working folder; optionally another user (<see cref="ProgramUser"/>) and a
/// session of its own. <see cref="ChildProcess"/> runs it.
/// </summary>
/// <param name="Program">A path, or a name looked up on the PATH.</param>
public sealed record ProgramCommand(string Program, IEnumerable<string> Arguments)
{
    /// <summary>Variables to set, over what the child inherits.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Inherited variables the child must not see.</summary>
    public IReadOnlyList<string>? Unset { get; init; }

    /// <summary>Its working folder; null for ours.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The user to run as when we are root (<see cref="ProgramUser"/>); ignored otherwise: we run it as ourselves.</summary>
    public ProgramUser? User { get; init; }

    /// <summary>
    /// In a session of its own (<c>setsid</c>), so that a Ctrl-C in the terminal reaches only us, and we stop it in
    /// order. <c>setsid</c> and <c>setpriv</c> replace themselves with the program: the process held is the program.
    /// </summary>
    public bool OwnSession { get; init; }

    /// <summary>Every stream redirected: standard input a pipe (closed unless the caller writes to it), output read by the caller.</summary>
    public ProcessStartInfo ToStartInfo()
    {
        var prefix = new List<string>();
        if (OwnSession)
        {
            prefix.Add("setsid");
        }

        var drop = User is { } user && System.Environment.IsPrivilegedProcess ? user : null;
        if (drop is not null)
        {
            prefix.AddRange(drop.SetprivArguments());
        }

        var start = new ProcessStartInfo(prefix.Count > 0 ? prefix[0] : Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (WorkingDirectory is not null)
        {
            start.WorkingDirectory = WorkingDirectory;
        }

        if (prefix.Count > 0)
        {
            foreach (var argument in prefix.Skip(1).Append(Program))
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (drop is not null)
        {
            foreach (var (name, value) in drop.Environment)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var name in Unset ?? [])
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in Environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>The program's own name, for a message: never the setsid or setpriv in front of it.</summary>
    public string Name => Path.GetFileName(Program);
}
