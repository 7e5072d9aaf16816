namespace Connect.Cli.Cluster.Drill;

/// <summary>The faults a drill injects, in turn, while the load runs.</summary>
internal sealed class DrillFault(string name, string description, Func<ClusterLayout, CancellationToken, Task> inject)
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public Task InjectAsync(ClusterLayout layout, CancellationToken cancellationToken) => inject(layout, cancellationToken);

    public static IReadOnlyList<DrillFault> All { get; } =
    [
        new("switchover", "planned switchover (pg_autoctl perform switchover)", SwitchoverAsync),
        new("postmaster-kill", "kill -9 of the primary's postmaster (pg_autoctl restarts it in place)", KillPostmasterAsync),
        new("node-kill", "kill -9 of the whole primary node, pg_autoctl and postmaster (a real failover)", KillNodeAsync),
        new("instance-kill", "kill -9 of one Connect instance", KillInstanceAsync),
    ];

    private static async Task SwitchoverAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        // It waits for the new primary; the ERROR it may print afterwards is known upstream and harmless,
        // so the drill judges the outcome by the monitor's state, not by the exit code.
        await ChildProcess.RunAsync(
            new PgAutoctl(layout).Start(["perform", "switchover", "--pgdata", layout.MonitorData, "--formation", "default"]),
            cancellationToken);
    }

    private static async Task KillPostmasterAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var primary = await PrimaryAsync(layout, cancellationToken);
        var state = ClusterState.ReadRunning(layout) ?? throw new ClusterException("the cluster stopped");
        var pid = ClusterStatus.PostmasterPid(state, primary)
            ?? throw new ClusterException($"{primary} has no running postmaster to kill");
        await ChildProcess.SignalAsync(pid, 9);
    }

    private static async Task KillNodeAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        // Checked again here, not only when the last fault was recovered: load and judging ran in between, and a
        // standby the monitor holds ineligible at the moment of the kill is a stall by design, not a failover.
        await DrillWait.UntilAsync(
            "the standby can take over (both nodes where the monitor wants them, passing its health checks, the standby's WAL within a segment)",
            async () => StandbyCanTakeOver(await new PgAutoctl(layout).ShowStateAsync(cancellationToken)),
            TimeSpan.FromMinutes(2),
            cancellationToken);
        var primary = await PrimaryAsync(layout, cancellationToken);
        var state = ClusterState.ReadRunning(layout) ?? throw new ClusterException("the cluster stopped");
        var supervisor = state.PidOf(primary) ?? throw new ClusterException($"{primary} has no running pg_autoctl to kill");
        var postmaster = ClusterProcesses.PostmasterUnder(supervisor);

        // Held down until the standby has taken over, or the supervisor would restart it at once and the
        // drill would see a restart in place instead of a failover.
        var hold = layout.HoldFile(primary);
        ClusterFiles.WriteNew(hold, "held by cluster drill\n");
        try
        {
            // pg_autoctl leads its own process group (cluster up starts it with setsid): kill all of it, once it is
            // known to be that group's leader (a child of cluster up, as PidOf checked).
            if (ClusterProcesses.Read(supervisor) is { } process && process.Group == supervisor)
            {
                await ChildProcess.SignalAsync(-supervisor, 9);
            }

            if (postmaster is { } pid)
            {
                await ChildProcess.SignalAsync(pid, 9);
            }

            var other = ClusterLayout.NodeNames.Single(n => n != primary);
            await DrillWait.UntilAsync(
                $"{other} is promoted",
                async () => await PrimaryOrNullAsync(layout, cancellationToken) == other,
                TimeSpan.FromMinutes(3),
                cancellationToken);
        }
        finally
        {
            File.Delete(hold);
        }
    }

    private static async Task KillInstanceAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var state = ClusterState.ReadRunning(layout) ?? throw new ClusterException("the cluster stopped");
        var pid = state.PidOf("instance1") ?? throw new ClusterException("instance1 is not running");
        await ChildProcess.SignalAsync(pid, 9);
        await Task.CompletedTask;
        _ = cancellationToken;
    }

    // pg_auto_failover's pgautofailover.promote_wal_log_threshold, left at its default (one WAL segment).
    private const ulong PromoteWalThreshold = 16 * 1024 * 1024;

    /// <summary>
    /// What pg_auto_failover's monitor asks before it promotes the standby of a primary that died: a primary and a
    /// synchronous standby, each in the state the monitor assigned it, each passing the monitor's own health
    /// checks, the standby a candidate (priority above 0) whose last reported WAL position is known and within
    /// one segment of the primary's. A standby short of that (one that has just rejoined, one a timed-out health
    /// check sent back to catchingup) might not hold every commit, so the monitor rightly refuses to promote it.
    /// </summary>
    public static bool StandbyCanTakeOver(IReadOnlyList<MonitoredNode> nodes)
    {
        // Not SingleOrDefault: this is polled, and a moment with two nodes in one state must read as "not yet", not throw.
        var primaries = nodes.Where(n => n is { ReportedState: "primary", AssignedState: "primary" }).ToList();
        var standbys = nodes.Where(n => n is { ReportedState: "secondary", AssignedState: "secondary" }).ToList();
        if (nodes.Count != ClusterLayout.NodeNames.Length || primaries is not [var primary] || standbys is not [var standby])
        {
            return false;
        }

        return nodes.All(n => n.PassedHealthCheck)
            && standby.CandidatePriority > 0
            && primary.ReportedLsn != 0 && standby.ReportedLsn != 0
            && Math.Max(primary.ReportedLsn, standby.ReportedLsn) - Math.Min(primary.ReportedLsn, standby.ReportedLsn) <= PromoteWalThreshold;
    }

    public static async Task<string> PrimaryAsync(ClusterLayout layout, CancellationToken cancellationToken) =>
        await PrimaryOrNullAsync(layout, cancellationToken) ?? throw new ClusterException("the monitor names no primary");

    public static async Task<string?> PrimaryOrNullAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var nodes = await new PgAutoctl(layout).ShowStateAsync(cancellationToken);
        return nodes.Where(n => n.Role == "primary").Select(n => n.Name).FirstOrDefault();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: {Description}");
}

internal static class DrillWait
{
    public static async Task UntilAsync(string what, Func<Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed > limit)
            {
                throw new ClusterException($"gave up waiting {limit.TotalSeconds:0} s until {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
        }
    }
}
