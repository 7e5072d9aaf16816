namespace Connect.Cli.Cluster;

/// <summary>
/// What a running <c>cluster up</c> publishes in <c>.data/cluster/state.json</c>: its own id and the id of
/// every process it supervises (rewritten at each restart), for <c>status</c> and <c>drill</c>. The file is root's,
/// in root's folder; and an id in it counts only while it names a live child of that <c>cluster up</c>.
/// </summary>
internal sealed record ClusterState(int SupervisorPid, Dictionary<string, int> Processes)
{
    public static ClusterState? Read(ClusterLayout layout)
    {
        try
        {
            return JsonSerializer.Deserialize<ClusterState>(File.ReadAllText(layout.StateFile));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The state of a cluster whose <c>cluster up</c> is still alive, or null.</summary>
    public static ClusterState? ReadRunning(ClusterLayout layout) =>
        Read(layout) is { } state && ClusterProgram.IsAlive(state.SupervisorPid) ? state : null;

    /// <summary>The supervised process's id while it is alive and still the supervisor's own child, else null.</summary>
    public int? PidOf(string name) => Processes.TryGetValue(name, out var pid) && ClusterProcesses.IsChildOf(pid, SupervisorPid) ? pid : null;
}
