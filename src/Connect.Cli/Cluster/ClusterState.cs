using System.Text.Json;

namespace Connect.Cli.Cluster;

/// <summary>
/// What a running <c>cluster up</c> publishes in <c>.data/cluster/state.json</c>: its own id and the id of
/// every process it supervises (rewritten at each restart), for <c>status</c> and <c>drill</c>.
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

    public int? PidOf(string name) => Processes.TryGetValue(name, out var pid) && ClusterProgram.IsAlive(pid) ? pid : null;
}
