namespace Connect.Cli.Cluster;

/// <summary>
/// One long-running part of the cluster (a pg_autoctl, a Connect instance, haproxy). There is no systemd
/// here and nothing else restarts a pg_autoctl that dies, so the supervisor does: whenever the process
/// exits while the cluster runs, it starts it again a second later, unless a hold file says to leave it
/// down (a drill holds a killed node down until the standby has taken over). Output goes to a log file, created
/// anew when supervision starts and kept open across restarts (<see cref="ClusterFiles.NewLog"/>).
/// </summary>
/// <param name="afterExit">Run with the id of a process that exited on its own, before it is started again: what it left
/// behind in its session (a killed pg_autoctl's children and postmaster) must not outlive it.</param>
internal sealed class SupervisedProcess(
    string name, Func<ProcessStartInfo> startInfo, string logFile, string holdFile, Func<int, Task>? afterExit = null)
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private StreamWriter? log;
    private Process? current;
    private bool stopping;

    public string Name { get; } = name;

    /// <summary>The running process's id, or null while it is down.</summary>
    public int? Pid
    {
        get
        {
            lock (gate)
            {
                return current is { HasExited: false } ? current.Id : null;
            }
        }
    }

    /// <summary>Raised whenever the process (re)starts, so that its new id is published.</summary>
    public event Action? Started;

    public int Starts { get; private set; }

    /// <summary>Starts the process now and keeps it running, in the background, until <see cref="StopAsync"/>.</summary>
    public void Supervise(CancellationToken cancellationToken)
    {
        log = ClusterFiles.NewLog(logFile);
        Start();
        _ = Task.Run(() => KeepRunningAsync(cancellationToken), CancellationToken.None);
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; no restart afterwards.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Process? process;
        lock (gate)
        {
            stopping = true;
            process = current;
        }

        if (process is not null)
        {
            await ChildProcess.StopAsync(process, grace);
        }

        CloseLog();
    }

    private void CloseLog()
    {
        if (log is { } open)
        {
            ChildProcess.CloseLog(open);
        }
    }

    private void Start()
    {
        lock (gate)
        {
            if (stopping)
            {
                return;
            }

            var process = ChildProcess.Start(startInfo(), ChildProcess.LogLines(log!));
            current?.Dispose();
            current = process;
            Starts++;
        }

        Started?.Invoke();
    }

    private async Task KeepRunningAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Process? process;
            lock (gate)
            {
                process = current;
            }

            try
            {
                if (process is not null)
                {
                    await ChildProcess.ExitedAsync(process, cancellationToken);
                    if (afterExit is not null)
                    {
                        await afterExit(process.Id);
                    }
                }

                await Task.Delay(RestartDelay, cancellationToken);
                while (File.Exists(holdFile))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (gate)
            {
                if (stopping)
                {
                    return;
                }
            }

            Start();
        }
    }
}
