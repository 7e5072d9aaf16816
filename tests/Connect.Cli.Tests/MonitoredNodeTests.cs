using System.Text.Json;
using Connect.Cli.Cluster;
using Connect.Cli.Cluster.Drill;

namespace Connect.Cli.Tests;

/// <summary>
/// The monitor's view as <c>pg_autoctl show state --json</c> prints it (the fields and spellings of pg_auto_failover
/// 2.0), read into the roles <c>cluster status</c> shows and into the drill's judgement of whether killing the primary
/// now is a failover pg_auto_failover will carry out.
/// </summary>
public sealed class MonitoredNodeTests
{
    private static List<MonitoredNode> State(params (string Name, string Reported, string Assigned, int Health)[] nodes) =>
        State(nodes.Select(n => (n.Name, n.Reported, n.Assigned, n.Health, "0/677C330", 50)).ToArray());

    private static List<MonitoredNode> State(params (string Name, string Reported, string Assigned, int Health, string Lsn, int Priority)[] nodes) =>
        JsonSerializer.Deserialize<List<MonitoredNode>>(JsonSerializer.Serialize(nodes.Select((n, i) => new Dictionary<string, object>
        {
            ["health"] = n.Health,
            ["node_id"] = i + 1,
            ["group_id"] = 0,
            ["nodehost"] = "127.0.0.1",
            ["nodename"] = n.Name,
            ["nodeport"] = 5441 + i,
            ["reported_lsn"] = n.Lsn,
            ["reported_tli"] = 24,
            ["formation_kind"] = "pgsql",
            ["candidate_priority"] = n.Priority,
            ["replication_quorum"] = true,
            ["current_group_state"] = n.Reported,
            ["assigned_group_state"] = n.Assigned,
        })))!;

    [Fact]
    public void A_primary_and_a_secondary_both_where_assigned_and_both_passing_health_checks_can_fail_over()
    {
        var nodes = State(("node1", "primary", "primary", 1), ("node2", "secondary", "secondary", 1));

        Assert.True(DrillFault.StandbyCanTakeOver(nodes));
        Assert.Equal(["primary", "secondary"], nodes.Select(n => n.Role));
    }

    [Theory]
    // The monitor's last health check of the standby failed: it is on its way back to catchingup.
    [InlineData("primary", "primary", 1, "secondary", "secondary", -1)]
    // Not checked since the monitor started.
    [InlineData("primary", "primary", 0, "secondary", "secondary", 1)]
    // A standby that has just rejoined, not yet confirmed synchronous.
    [InlineData("wait_primary", "primary", 1, "catchingup", "secondary", 1)]
    [InlineData("wait_primary", "wait_primary", 1, "catchingup", "catchingup", 1)]
    // A failover already under way.
    [InlineData("primary", "draining", 1, "secondary", "prepare_promotion", 1)]
    public void A_standby_the_monitor_holds_ineligible_cannot_fail_over(
        string primaryReported, string primaryAssigned, int primaryHealth, string standbyReported, string standbyAssigned, int standbyHealth)
    {
        var nodes = State(("node1", primaryReported, primaryAssigned, primaryHealth), ("node2", standbyReported, standbyAssigned, standbyHealth));

        Assert.False(DrillFault.StandbyCanTakeOver(nodes));
    }

    [Theory]
    // A segment apart is still a candidate (the monitor's threshold is inclusive).
    [InlineData("1/0", "0/FF000000", true)]
    [InlineData("0/677C330", "0/677C000", true)]
    // The standby has reported no position yet, or lags by more than a segment.
    [InlineData("0/677C330", "0/0", false)]
    [InlineData("1/1000000", "1/0", true)]
    [InlineData("1/1000001", "1/0", false)]
    public void The_standby_must_have_reported_a_position_within_one_wal_segment_of_the_primary(string primaryLsn, string standbyLsn, bool canFailOver)
    {
        var nodes = State(("node1", "primary", "primary", 1, primaryLsn, 50), ("node2", "secondary", "secondary", 1, standbyLsn, 50));

        Assert.Equal(canFailOver, DrillFault.StandbyCanTakeOver(nodes));
    }

    [Fact]
    public void A_standby_that_may_never_be_promoted_cannot_fail_over()
    {
        var nodes = State(("node1", "primary", "primary", 1, "0/677C330", 50), ("node2", "secondary", "secondary", 1, "0/677C330", 0));

        Assert.False(DrillFault.StandbyCanTakeOver(nodes));
    }

    [Fact]
    public void Two_nodes_both_claiming_one_state_is_not_yet_a_cluster_that_can_fail_over()
    {
        Assert.False(DrillFault.StandbyCanTakeOver(State(("node1", "primary", "primary", 1), ("node2", "primary", "primary", 1))));
        Assert.False(DrillFault.StandbyCanTakeOver(State(("node1", "secondary", "secondary", 1), ("node2", "secondary", "secondary", 1))));
    }

    [Fact]
    public void One_node_alone_cannot_fail_over()
    {
        Assert.False(DrillFault.StandbyCanTakeOver(State(("node1", "single", "single", 1))));
        Assert.False(DrillFault.StandbyCanTakeOver([]));
    }
}
