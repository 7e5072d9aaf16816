namespace Connect.Cli.Cluster;

/// <summary>
/// <c>cluster up</c>: the pg_auto_failover monitor, a primary and a synchronous standby, three Connect
/// instances and haproxy, all on loopback, all supervised by this process and stopped by it (and only what
/// it started) when it is cancelled by Ctrl-C or SIGTERM.
/// </summary>
internal sealed class LocalHaCluster(ClusterLayout layout, TextWriter progress)
{
    // The monitor's health checks, tightened from 5 s / 5 s / 20 s / 30 s so that a dead primary is
    // replaced in seconds. The demote timeout stays above the nodes' network_partition_timeout (5 s): a
    // primary cut off from the monitor and the standby demotes itself before the standby is promoted.
    private static readonly string[] MonitorSettings =
    [
        "ALTER SYSTEM SET pgautofailover.health_check_period = 1000",
        "ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000",
        "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 4000",
        "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 10000",
        "SELECT pg_reload_conf()",
    ];

    // Set on the first primary before the standby is cloned, so both carry them: a standby retries a lost
    // WAL source after 0.5 s (not 5 s), WAL kept for a standby is capped (the default can reach 8 GB a node),
    // and memory suits a laptop rather than pg_auto_failover's share of the machine.
    private static readonly string[] NodeSettings =
    [
        "ALTER SYSTEM SET wal_retrieve_retry_interval = '500ms'",
        "ALTER SYSTEM SET wal_keep_size = '256MB'",
        "ALTER SYSTEM SET shared_buffers = '128MB'",
        "ALTER SYSTEM SET max_connections = 200",
        "SELECT pg_reload_conf()",
        // A checkpoint before the standby's base backup roughly halves it.
        "CHECKPOINT",
    ];

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly List<SupervisedProcess> processes = [];
    private readonly Lock stateGate = new();
    private readonly PgAutoctl pgAutoctl = new(layout);
    private readonly ClusterAuthentication authentication = new(layout, new PgAutoctl(layout));

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await RefuseIfTakenAsync();
        await ClusterPackages.EnsureInstalledAsync(progress, cancellationToken);
        await PrepareFoldersAsync(cancellationToken);
        await progress.WriteLineAsync($"connect: starting the cluster in {layout.Root}");
        using var supervision = new CancellationTokenSource();
        try
        {
            await StartMonitorAsync(supervision.Token, cancellationToken);
            await StartNodesAsync(supervision.Token, cancellationToken);
            await MigrateAsync(cancellationToken);
            StartInstances(supervision.Token);
            await StartHaproxyAsync(supervision.Token, cancellationToken);
            await WaitForFrontAsync(cancellationToken);
            await PrintWhatRunsWhereAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await progress.WriteLineAsync("connect: stopping the cluster");
            return 0;
        }
        finally
        {
            await supervision.CancelAsync();
            await StopAllAsync();
        }
    }

    private async Task RefuseIfTakenAsync()
    {
        if (ReadState() is { } state && state.SupervisorPid != Environment.ProcessId && ClusterProgram.IsAlive(state.SupervisorPid))
        {
            throw new ClusterException($"a cluster is already running (cluster up, pid {state.SupervisorPid}); stop it first");
        }

        // The front and ./connect up both default to 127.0.0.1:5080: one of them runs at a time.
        int[] ports = [ClusterLayout.FrontPort, ClusterLayout.MonitorPort, .. ClusterLayout.NodeNames.Select((_, i) => ClusterLayout.NodePort(i)),
            .. Enumerable.Range(0, ClusterLayout.InstanceCount).Select(ClusterLayout.InstancePort)];
        foreach (var port in ports)
        {
            if (!LoopbackPort.IsFree(port))
            {
                var hint = port == ClusterLayout.FrontPort ? " (is ./connect up running? the cluster's front uses its address)" : "";
                throw new ClusterException($"127.0.0.1:{port} is already in use{hint}; stop what holds it first");
            }
        }

        await Task.CompletedTask;
    }

    /// <summary>
    /// The root folder and the logs are root's (mode 755: no one else may add, remove or swap an entry in them); the
    /// postgres user gets only its own folders inside (<see cref="ClusterLayout.PostgresFolders"/>), each made by root
    /// in that root-only folder and then handed over with <c>chown -h</c>, so no link can be swapped in between.
    /// </summary>
    private async Task PrepareFoldersAsync(CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(layout.Root)!;
        Directory.CreateDirectory(parent);
        if (Environment.IsPrivilegedProcess)
        {
            var (canEnter, _, _) = await ChildProcess.RunAsync(
                ClusterProgram.StartInfo("test", ["-x", parent], asPostgres: true), cancellationToken);
            if (canEnter != 0)
            {
                throw new ClusterException(
                    $"the postgres user cannot reach {parent}; put the checkout where it can (not under /root or a private temporary folder)");
            }
        }

        const UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        ClusterFiles.EnsureOwnFolder(layout.Root, shared);
        ClusterFiles.EnsureOwnFolder(layout.LogDirectory, shared);
        foreach (var folder in layout.PostgresFolders)
        {
            if (new DirectoryInfo(folder).LinkTarget is not null)
            {
                throw new ClusterException($"{folder} is a symbolic link; the cluster does not follow links it did not make");
            }

            if (Directory.Exists(folder))
            {
                continue;
            }

            Directory.CreateDirectory(folder);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            if (Environment.IsPrivilegedProcess)
            {
                // -h: the entry itself, never what a link there would name.
                await ChildProcess.RunAsync(
                    ClusterProgram.StartInfo("chown", ["-h", $"{ClusterProgram.PostgresUser}:", "--", folder], asPostgres: false), cancellationToken);
            }
        }

        // pg_autoctl keeps its pid files in XDG_RUNTIME_DIR only if the folder exists, else in /tmp, where any local
        // user could put something first. Made by postgres itself, in its own folder.
        await ChildProcess.RunAsync(
            ClusterProgram.StartInfo("mkdir", ["-p", "-m", "700", "--", pgAutoctl.Environment["XDG_RUNTIME_DIR"]], asPostgres: true), cancellationToken);
        await authentication.PrepareAsync(cancellationToken);
    }

    private async Task StartMonitorAsync(CancellationToken supervision, CancellationToken cancellationToken)
    {
        var firstTime = !pgAutoctl.IsCreated(layout.MonitorData);
        if (firstTime)
        {
            await progress.WriteLineAsync("connect: creating the pg_auto_failover monitor");
            await pgAutoctl.RunCheckedAsync(
                ["create", "monitor", "--pgdata", layout.MonitorData, "--pgport", Port(ClusterLayout.MonitorPort),
                 "--hostname", "127.0.0.1", "--auth", "scram-sha-256", "--ssl-self-signed"], cancellationToken);

            // create monitor has no --listen: without this it would listen on every interface.
            await pgAutoctl.RunCheckedAsync(
                ["config", "set", "--pgdata", layout.MonitorData, "postgresql.listen_addresses", "127.0.0.1"], cancellationToken);
            await authentication.HardenMonitorAsync(cancellationToken);
        }

        Supervise("monitor", () => pgAutoctl.Start(["run", "--pgdata", layout.MonitorData]), supervision);
        await WaitUntilAsync(
            "the monitor accepts connections", () => authentication.IsWritableAsync(ClusterLayout.MonitorPort, "pg_auto_failover", cancellationToken), cancellationToken);
        if (firstTime)
        {
            await authentication.SetMonitorPasswordAsync(cancellationToken);
        }

        await authentication.PsqlAsync(ClusterLayout.MonitorPort, "pg_auto_failover", string.Join(";\n", MonitorSettings) + ";\n", cancellationToken);
    }

    private async Task StartNodesAsync(CancellationToken supervision, CancellationToken cancellationToken)
    {
        for (var index = 0; index < ClusterLayout.NodeNames.Length; index++)
        {
            var name = ClusterLayout.NodeNames[index];
            var pgdata = layout.NodeData(name);
            var firstTime = !pgAutoctl.IsCreated(pgdata);
            var port = ClusterLayout.NodePort(index);
            if (firstTime)
            {
                await progress.WriteLineAsync($"connect: creating PostgreSQL node {name} on 127.0.0.1:{port}");
            }

            Supervise(name, () => pgAutoctl.IsCreated(pgdata)
                ? pgAutoctl.Start(["run", "--pgdata", pgdata])
                : pgAutoctl.Start(
                    ["create", "postgres", "--pgdata", pgdata, "--pgport", Port(port), "--hostname", "127.0.0.1",
                     "--listen", "127.0.0.1", "--auth", "scram-sha-256", "--ssl-self-signed", "--monitor", ClusterLayout.MonitorUri,
                     "--dbname", ClusterLayout.DatabaseName, "--name", name, "--run"]), supervision);

            // The first node must be a primary before the second can be cloned from it. On later starts the
            // primary may be either node, so both start before anything waits for writes.
            if (index == 0 && firstTime)
            {
                await WaitUntilAsync($"{name} accepts writes", () => authentication.IsWritableAsync(port, ClusterLayout.DatabaseName, cancellationToken), cancellationToken);
                await authentication.HardenFirstPrimaryAsync(name, port, cancellationToken);
                await authentication.PsqlAsync(port, ClusterLayout.DatabaseName, string.Join(";\n", NodeSettings) + ";\n", cancellationToken);
            }
        }

        await WaitUntilAsync(
            "the primary and its synchronous standby are in place",
            async () => (await pgAutoctl.ShowStateAsync(cancellationToken)) is { Count: 2 } nodes
                && nodes.Count(n => n.Role == "primary" && n.ReportedState == "primary") == 1
                && nodes.Count(n => n.Role == "secondary") == 1,
            cancellationToken,
            TimeSpan.FromMinutes(5));

        // Without the monitor and without the standby a primary demotes itself after this long, so that a
        // cut-off primary stops taking writes before the monitor promotes the standby.
        // The setting persists in the node's configuration; once it is there a restart leaves it alone (a
        // config set next to a node that is still settling was seen to die of the reload signal it sends).
        foreach (var name in ClusterLayout.NodeNames)
        {
            var configFile = Path.Combine(layout.XdgRoot, "config", "pg_autoctl", layout.NodeData(name).TrimStart('/'), "pg_autoctl.cfg");
            if (File.ReadAllText(configFile).Contains("network_partition_timeout = 5", StringComparison.Ordinal))
            {
                continue;
            }

            var (exitCode, _, _) = await ChildProcess.RunAsync(
                pgAutoctl.Start(["config", "set", "--pgdata", layout.NodeData(name), "timeout.network_partition_timeout", "5"]), cancellationToken);
            if (exitCode != 0)
            {
                await progress.WriteLineAsync($"connect: warning: could not shorten {name}'s network partition timeout (pg_autoctl exit code {exitCode}); failovers take longer");
            }
        }
    }

    /// <summary>
    /// Brings the schema up to date on the primary. A node that restarts with the cluster may still be
    /// restarted by its pg_autoctl right after it first takes writes: a migration cut off that way is tried
    /// again (each migration is one transaction, so a cut one left nothing behind).
    /// </summary>
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var superuser = layout.SuperuserConnectionString();
                DatabaseMigrator.Migrate(superuser);
                // The instances' role: the rows of Connect's tables and nothing else, its password in root's file.
                await ServiceRole.EnsureAsync(superuser, layout.ServicePasswordFile, cancellationToken);
                await ServiceRole.GrantDataAccessAsync(superuser, cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException || e.InnerException is NpgsqlException)
            {
                if (attempt == 60)
                {
                    throw new ClusterException($"the migrations could not be applied to the cluster: {(e.InnerException ?? e).Message}");
                }

                NpgsqlConnection.ClearAllPools();
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private void StartInstances(CancellationToken supervision)
    {
        var dotnet = Environment.ProcessPath ?? "dotnet";
        var cli = typeof(LocalHaCluster).Assembly.Location;
        var keyEncryptionKey = layout.KeyEncryptionKey();
        var connectionString = layout.WithServicePassword(ClusterLayout.ConnectionString());
        for (var index = 0; index < ClusterLayout.InstanceCount; index++)
        {
            var environment = InstanceEnvironment(index, connectionString, keyEncryptionKey);
            Supervise($"instance{index + 1}", () => ClusterProgram.StartInfo(dotnet, [cli, "up"], asPostgres: false, environment), supervision);
        }
    }

    /// <summary>What instance <paramref name="index"/> is started with, besides the inherited environment.</summary>
    internal static Dictionary<string, string> InstanceEnvironment(int index, string connectionString, string keyEncryptionKey) => new()
    {
        ["ConnectionStrings__Connect"] = connectionString,
        ["Connect__SigningKeys__KeyEncryptionKey"] = keyEncryptionKey,
        ["Urls"] = ClusterLayout.InstanceUrl(index),
        // Three services share the machine with two PostgreSQL servers: one GC heap each.
        ["DOTNET_gcServer"] = "0",
        // One issuer for the whole cluster, the front's: a refresh adopted on another instance is the same token.
        ["Connect__SessionTokens__Issuer"] = ClusterLayout.FrontUrl,
        // Every request comes from haproxy on this address, which names the client in X-Forwarded-For
        // (HaproxyConfiguration): without this each budget per client address would be one for everyone.
        ["Connect__RateLimit__TrustedProxies__0"] = ClusterLayout.FrontHost,
        // The cluster is one machine's rehearsal: its drill listens for signals on this machine. A real
        // deployment leaves loopback receivers off (docs/signals.md).
        ["Connect__Signals__AllowLoopbackReceivers"] = "true",
    };

    private async Task StartHaproxyAsync(CancellationToken supervision, CancellationToken cancellationToken)
    {
        var errorFile = Path.Combine(layout.Root, "haproxy-503.http");
        ClusterFiles.WriteNew(errorFile, HaproxyConfiguration.ServiceUnavailableAnswer());
        ClusterFiles.WriteNew(layout.HaproxyConfig, HaproxyConfiguration.Render(layout, errorFile));
        // As its own user, never root: it reads root's files in root's folder, which that user cannot change either.
        var (user, group) = await GroupOfAsync(ClusterProgram.HaproxyUser, cancellationToken) is { } own
            ? (ClusterProgram.HaproxyUser, own)
            : ("nobody", await GroupOfAsync("nobody", cancellationToken) ?? throw new ClusterException("neither a haproxy nor a nobody user exists to run haproxy as"));
        Supervise("haproxy", () => ClusterProgram.StartInfoAs(new ProgramUser(user, group), "haproxy", ["-db", "-f", layout.HaproxyConfig]), supervision);
    }

    /// <summary>The primary group id of <paramref name="user"/>, or null when there is no such user.</summary>
    private static async Task<string?> GroupOfAsync(string user, CancellationToken cancellationToken)
    {
        var (exitCode, output, _) = await ChildProcess.RunAsync(ClusterProgram.StartInfo("id", ["-g", "--", user], asPostgres: false), cancellationToken);
        return exitCode == 0 ? output.Trim() : null;
    }

    private async Task WaitForFrontAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        await WaitUntilAsync(
            $"every instance answers /health through {ClusterLayout.FrontUrl}",
            async () =>
            {
                foreach (var index in Enumerable.Range(0, ClusterLayout.InstanceCount))
                {
                    if (!await ClusterStatus.IsHealthyAsync(http, ClusterLayout.InstanceUrl(index), cancellationToken))
                    {
                        return false;
                    }
                }

                return await ClusterStatus.IsHealthyAsync(http, ClusterLayout.FrontUrl, cancellationToken);
            },
            cancellationToken,
            TimeSpan.FromMinutes(3));
    }

    private async Task PrintWhatRunsWhereAsync(CancellationToken cancellationToken)
    {
        var status = await ClusterStatus.ReadAsync(layout, cancellationToken);
        await progress.WriteLineAsync($"connect: cluster up; front {status.FrontUrl} (haproxy, pid {Pid("haproxy")})");
        foreach (var node in status.Nodes)
        {
            await progress.WriteLineAsync(
                $"connect:   {node.Name,-8} {node.Role,-10} 127.0.0.1:{node.Port}  postmaster {node.Pid}, pg_autoctl {node.SupervisorPid}, data {node.DataDirectory}");
        }

        for (var index = 0; index < ClusterLayout.InstanceCount; index++)
        {
            await progress.WriteLineAsync($"connect:   instance{index + 1} {ClusterLayout.InstanceUrl(index)}  pid {Pid($"instance{index + 1}")}");
        }

        await progress.WriteLineAsync($"connect:   instances use {status.ConnectionString}");
        await progress.WriteLineAsync($"connect:   logs in {layout.LogDirectory}; ./connect cluster status prints this as JSON; Ctrl-C stops everything.");
    }

    private string Pid(string name) =>
        processes.FirstOrDefault(p => p.Name == name)?.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private void Supervise(string name, Func<ProcessStartInfo> start, CancellationToken supervision)
    {
        // A pg_autoctl killed alone leaves its children and its postmaster running, in its session: they would
        // hold the node against the pg_autoctl started next, and outlive cluster up.
        var isPgAutoctl = name == "monitor" || ClusterLayout.NodeNames.Contains(name);
        var process = new SupervisedProcess(
            name, start, layout.LogFile(name), layout.HoldFile(name), isPgAutoctl ? StopWhatRemainsInSessionAsync : null);
        process.Started += WriteState;
        lock (stateGate)
        {
            processes.Add(process);
        }

        process.Supervise(supervision);
    }

    /// <summary>Stops in the reverse order of starting: front first, the monitor last; standby before primary.</summary>
    private async Task StopAllAsync()
    {
        List<SupervisedProcess> toStop;
        lock (stateGate)
        {
            toStop = [.. processes];
        }

        toStop.Reverse();
        foreach (var process in toStop.Where(p => p.Name.StartsWith("instance", StringComparison.Ordinal) || p.Name == "haproxy"))
        {
            await process.StopAsync(StopGrace);
        }

        foreach (var process in toStop.Where(p => p.Name.StartsWith("node", StringComparison.Ordinal) || p.Name == "monitor"))
        {
            await process.StopAsync(StopGrace);
        }

        await StopWhatPgAutoctlLeftAsync();
        File.Delete(layout.StateFile);
    }

    /// <summary>
    /// Stops what a pg_autoctl that exited left in its session: SIGTERM (its children stop their postmaster), then
    /// SIGKILL, each sent as the postgres user, so that it can reach nothing else.
    /// </summary>
    private static async Task StopWhatRemainsInSessionAsync(int session)
    {
        var postgresUser = ProgramUser.Postgres;
        foreach (var signal in (int[])[15, 9])
        {
            var deadline = Stopwatch.StartNew();
            while (ClusterProcesses.InSession(session) is { Count: > 0 } left && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                foreach (var pid in left)
                {
                    await ChildProcess.SignalAsync(pid, signal, postgresUser);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>
    /// A pg_autoctl restarted after a kill can exit on SIGTERM and leave its own children and its postmaster
    /// running. Everything pg_autoctl starts inherits its environment, our XDG folders included, so whatever
    /// still carries them is ours: each node's postmaster is asked to stop (pg_ctl, fast), then what remains is
    /// terminated, then killed. Every signal here is sent as the postgres user, so it can reach nothing else.
    /// </summary>
    private async Task StopWhatPgAutoctlLeftAsync()
    {
        var marker = $"XDG_CONFIG_HOME={pgAutoctl.Environment["XDG_CONFIG_HOME"]}";
        if (ClusterProcesses.WithEnvironment(marker).Count == 0)
        {
            return;
        }

        var pgCtl = Path.Combine(Infrastructure.LocalPostgres.LocalPostgresBinaries.FindBinDirectory(), "pg_ctl");
        foreach (var pgdata in (string[])[layout.MonitorData, .. ClusterLayout.NodeNames.Select(layout.NodeData)])
        {
            await ChildProcess.RunAsync(
                ClusterProgram.StartInfo(pgCtl, ["stop", "-D", pgdata, "-m", "fast", "-w", "-t", "30"], asPostgres: true), CancellationToken.None);
        }

        var postgresUser = ProgramUser.Postgres;
        foreach (var signal in (int[])[15, 9])
        {
            var deadline = Stopwatch.StartNew();
            while (ClusterProcesses.WithEnvironment(marker) is { Count: > 0 } left)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(10))
                {
                    break;
                }

                foreach (var pid in left)
                {
                    await ChildProcess.SignalAsync(pid, signal, postgresUser);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    private void WriteState()
    {
        lock (stateGate)
        {
            var state = new ClusterState(
                Environment.ProcessId,
                processes.Where(p => p.Pid is not null).ToDictionary(p => p.Name, p => p.Pid!.Value));
            ClusterFiles.Replace(layout.StateFile, JsonSerializer.Serialize(state));
        }
    }

    private ClusterState? ReadState() => ClusterState.Read(layout);

    private async Task WaitUntilAsync(string what, Func<Task<bool>> condition, CancellationToken cancellationToken, TimeSpan? limit = null)
    {
        var deadline = Stopwatch.StartNew();
        var bound = limit ?? TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            if (deadline.Elapsed > bound)
            {
                throw new ClusterException($"gave up waiting {bound.TotalSeconds:0} s until {what}; see the logs in {layout.LogDirectory}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
