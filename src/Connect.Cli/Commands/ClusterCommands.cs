using System.CommandLine;
using Connect.Cli.Cluster;
using Connect.Cli.Database;

namespace Connect.Cli.Commands;

/// <summary><c>cluster up | status | drill</c>: several instances on a PostgreSQL high-availability pair, on this machine.</summary>
internal static class ClusterCommands
{
    public static Command Group()
    {
        var up = new Command(
            "up",
            "Run the pg_auto_failover monitor, a primary and a synchronous standby, three instances and haproxy on "
            + $"http://{ClusterLayout.FrontHost}:{ClusterLayout.FrontPort} until Ctrl-C.");
        up.SetAction(async (parse, cancellationToken) =>
            await new LocalHaCluster(Layout(), parse.InvocationConfiguration.Error).RunAsync(cancellationToken));

        var status = new Command("status", "Print what runs where in the running cluster, as one JSON object.");
        status.SetAction(async (parse, cancellationToken) =>
            Output.Json(parse, await ClusterStatus.ReadAsync(Layout(), cancellationToken)));

        return new Command("cluster", "Several Connect instances on a PostgreSQL high-availability pair, on this machine.")
        {
            up,
            status,
        };
    }

    private static ClusterLayout Layout() => new(ConnectDatabase.CheckoutRoot());
}
