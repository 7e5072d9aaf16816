namespace Connect.Cli.Commands;

/// <summary><c>cluster up | status | drill</c>: several instances on a PostgreSQL high-availability pair, on this machine.</summary>
internal static class ClusterCommands
{
    public static Command Group(IConfiguration configuration)
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

        var rate = new Option<int>("--rate") { Description = "Requests per second through the front, half /revoke-all, half /refresh.", DefaultValueFactory = _ => 40 };
        var accounts = new Option<int>("--accounts") { Description = "Accounts to revoke, each with two sessions.", DefaultValueFactory = _ => 600 };
        var steady = new Option<int>("--steady") { Description = "Seconds of load before each fault and after recovery.", DefaultValueFactory = _ => 5 };
        var faults = new Option<string>("--faults")
        {
            Description = $"Comma-separated faults, in the drill's order: {string.Join(',', DrillFault.All.Select(f => f.Name))}.",
            DefaultValueFactory = _ => string.Join(',', DrillFault.All.Select(f => f.Name)),
        };
        var drill = new Command("drill", "Run signed /revoke-all and /refresh load through the running cluster's front while injecting each fault in turn; print the figures and the checks.")
        {
            rate, accounts, steady, faults,
        };
        drill.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(faults)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            if (chosen.Count == 0 || chosen.Any(f => DrillFault.All.All(known => known.Name != f)))
            {
                return Output.Fail(parse, $"--faults takes a comma-separated list of {string.Join(", ", DrillFault.All.Select(f => f.Name))}");
            }

            if (parse.GetValue(rate) is < 1 or > 1000 || parse.GetValue(accounts) is < 1 or > 100_000 || parse.GetValue(steady) is < 1 or > 600)
            {
                return Output.Fail(parse, "--rate takes 1..1000, --accounts 1..100000, --steady 1..600");
            }

            var layout = Layout();
            // The drill registers its own receiver on this machine, as the cluster's instances allow.
            var drillConfiguration = new ConfigurationBuilder().AddConfiguration(configuration)
                .AddInMemoryCollection([new("Connect:Signals:AllowLoopbackReceivers", "true")]).Build();
            await using var services = AdministrationServices.Build(
                drillConfiguration, ConnectDatabase.LocalCluster(ClusterLayout.ConnectionString()));
            var options = new DrillOptions(parse.GetValue(rate), parse.GetValue(accounts), TimeSpan.FromSeconds(parse.GetValue(steady)), chosen);
            var error = parse.InvocationConfiguration.Error;
            var result = await new ClusterDrill(layout, services.GetRequiredService<IMediator>(), services.GetRequiredService<ISessionStore>(), options, error).RunAsync(cancellationToken);
            await error.WriteAsync(result.Table());
            Output.Json(parse, result);
            return result.Passed ? 0 : Output.Failed;
        });

        return new Command("cluster", "Several Connect instances on a PostgreSQL high-availability pair, on this machine.")
        {
            up,
            status,
            drill,
        };
    }

    private static ClusterLayout Layout() => new(ConnectDatabase.CheckoutRoot());
}
