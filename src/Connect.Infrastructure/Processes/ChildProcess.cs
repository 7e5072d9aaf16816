namespace Connect.Infrastructure.Processes;

/// <summary>What a program that ran to its end printed, and how it exited.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Last non-empty line of stderr (or stdout), for one-line error messages.</summary>
    public string Summary
    {
        get
        {
            var text = string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError;
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
        }
    }
}

/// <summary>
/// The one process runner: a short program run to its end with its output captured (<see cref="RunAsync(ProgramCommand, CancellationToken, string?)"/>),
/// a long-running one whose lines go to a log (<see cref="Start"/>), signals by number, and the stop every server
/// child gets (SIGTERM, then the whole tree killed after a grace). Cancelling a run kills the program's whole tree.
/// Not CliWrap: its cancellation sends SIGINT rather than the SIGTERM the service and pg_autoctl shut down on, and
/// it waits for the output pipes to close, which children a killed pg_autoctl leaves behind hold open.
/// </summary>
public static class ChildProcess
{
    /// <summary>Runs <paramref name="command"/> to its end. <paramref name="input"/> goes to its standard input: a
    /// pipe, which no other user can read (a secret given on the command line is visible in ps).</summary>
    /// <exception cref="Win32Exception">The program could not be started (not installed).</exception>
    public static Task<ProcessResult> RunAsync(ProgramCommand command, CancellationToken cancellationToken, string? input = null) =>
        RunAsync(command.ToStartInfo(), cancellationToken, input);

    /// <inheritdoc cref="RunAsync(ProgramCommand, CancellationToken, string?)"/>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo start, CancellationToken cancellationToken, string? input = null)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Starts a long-running program; each line it prints (stdout and stderr alike) goes to <paramref name="log"/>,
    /// which a line after the log was closed must not fail (see <see cref="LogLines"/>). Standard input is closed.
    /// </summary>
    public static Process Start(ProcessStartInfo start, Action<string> log)
    {
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => Forward(log, line.Data);
        process.ErrorDataReceived += (_, line) => Forward(log, line.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A line sink that writes to <paramref name="log"/> one line at a time and drops a line that comes after it was closed.</summary>
    public static Action<string> LogLines(TextWriter log) => line =>
    {
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A last line after the process was disposed: nobody reads the log any more.
            }
        }
    };

    /// <summary>Closes a log written by <see cref="LogLines"/>, never in the middle of a line.</summary>
    public static void CloseLog(TextWriter log)
    {
        lock (log)
        {
            log.Dispose();
        }
    }

    /// <summary>
    /// The process itself has exited. Not <see cref="Process.WaitForExitAsync"/>, which also waits for the end of its
    /// output: children a killed pg_autoctl leaves behind hold that pipe open, and it would never end.
    /// </summary>
    public static Task ExitedAsync(Process process, CancellationToken cancellationToken)
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        if (process.HasExited)
        {
            exited.TrySetResult();
        }

        return exited.Task.WaitAsync(cancellationToken);
    }

    /// <summary>SIGTERM (a graceful shutdown), then SIGKILL to its whole tree if it is still there after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            await SignalAsync(process.Id, 15);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await ExitedAsync(process, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await ExitedAsync(process, CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }

    /// <summary>
    /// Sends a signal by number (15 TERM, 9 KILL) through kill(1): .NET only offers SIGKILL. A negative id names a
    /// process group; 0, 1 and -1 (everything) are refused outright. With <paramref name="asUser"/> (when root) the
    /// signal is sent as that user, so it can reach only that user's processes. Returns kill's exit code.
    /// </summary>
    public static async Task<int> SignalAsync(int pid, int signal, ProgramUser? asUser = null)
    {
        if (pid is >= -1 and <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "not a process we started");
        }

        // "--": a negative id names a process group, not an option.
        var kill = new ProgramCommand(
            "kill", [$"-{signal.ToString(CultureInfo.InvariantCulture)}", "--", pid.ToString(CultureInfo.InvariantCulture)])
        {
            User = asUser,
            WorkingDirectory = "/",
        };
        var result = await RunAsync(kill, CancellationToken.None);
        return result.ExitCode;
    }

    private static void Forward(Action<string> log, string? line)
    {
        if (line is not null)
        {
            log(line);
        }
    }
}
