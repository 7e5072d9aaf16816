namespace Connect.Cli.Cluster;

/// <summary>
/// <c>cluster status</c>: one JSON object saying what runs where. Node roles come from the monitor; the
/// pg_autoctl's id from the state that <c>cluster up</c> publishes, the postmaster's from the process tree under
/// it (not from <c>postmaster.pid</c>, which the postgres user writes); an instance is healthy when its own
/// <c>/health</c> answers 200.
/// </summary>
internal sealed record ClusterStatus(string FrontUrl, string ConnectionString, IReadOnlyList<ClusterNodeStatus> Nodes, IReadOnlyList<ClusterInstanceStatus> Instances)
{
    public static async Task<ClusterStatus> ReadAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var state = ClusterState.ReadRunning(layout)
            ?? throw new ClusterException("no cluster is running here; start one with ./connect cluster up");
        var monitored = await new PgAutoctl(layout).ShowStateAsync(cancellationToken);

        var nodes = new List<ClusterNodeStatus>
        {
            new("monitor", "monitor", ClusterLayout.MonitorPort, PostmasterPid(state, "monitor"), state.PidOf("monitor"), layout.MonitorData),
        };
        for (var index = 0; index < ClusterLayout.NodeNames.Length; index++)
        {
            var name = ClusterLayout.NodeNames[index];
            var role = monitored.FirstOrDefault(n => n.Name == name)?.Role ?? "unknown";
            nodes.Add(new(name, role, ClusterLayout.NodePort(index), PostmasterPid(state, name), state.PidOf(name), layout.NodeData(name)));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var instances = new List<ClusterInstanceStatus>();
        for (var index = 0; index < ClusterLayout.InstanceCount; index++)
        {
            var url = ClusterLayout.InstanceUrl(index);
            instances.Add(new(url, await IsHealthyAsync(http, url, cancellationToken)));
        }

        return new ClusterStatus(ClusterLayout.FrontUrl, ClusterLayout.ConnectionString(), nodes, instances);
    }

    public static async Task<bool> IsHealthyAsync(HttpClient http, string baseUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(baseUrl + "/health"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The postmaster under the node's supervised pg_autoctl, when both run.</summary>
    public static int? PostmasterPid(ClusterState state, string node) =>
        state.PidOf(node) is { } pgAutoctl ? ClusterProcesses.PostmasterUnder(pgAutoctl) : null;
}

internal sealed record ClusterNodeStatus(string Name, string Role, int Port, int? Pid, int? SupervisorPid, string DataDirectory);

internal sealed record ClusterInstanceStatus(string Url, bool Healthy);
