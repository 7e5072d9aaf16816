using System.Diagnostics;

namespace Connect.Cli.Cluster;

/// <summary>
/// One long-running part of the cluster (a pg_autoctl, a Connect instance, haproxy). There is no systemd
/// here and nothing else restarts a pg_autoctl that dies, so the supervisor does: whenever the process
/// exits while the cluster runs, it starts it again a second later, unless a hold file says to leave it
/// down (a drill holds a killed node down until the standby has taken over). Output goes to a log file.
/// </summary>
internal sealed class SupervisedProcess(string name, Func<ProcessStartInfo> startInfo, string logFile, string holdFile)
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
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

        if (process is null || process.HasExited)
        {
            return;
        }

        await ClusterProgram.SignalAsync(process.Id, 15);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
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

            var start = startInfo();
            var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, line) => Append(log, line.Data);
            process.ErrorDataReceived += (_, line) => Append(log, line.Data);
            process.Exited += (_, _) =>
            {
                // Let the output readers drain before the log closes.
                process.WaitForExit();
                lock (log)
                {
                    log.Dispose();
                }
            };
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
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
                    await process.WaitForExitAsync(cancellationToken);
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

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The process is gone and its log closed; a late line is dropped.
            }
        }
    }
}
