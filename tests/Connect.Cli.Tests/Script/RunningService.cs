using System.Diagnostics;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// A <c>./connect up</c> running as its own process (directly, or inside <c>script</c> for a pseudo-terminal),
/// with every line it printed collected so that a test can wait for one. Disposing kills whatever is left.
/// </summary>
internal sealed class RunningService : IDisposable
{
    /// <summary>Generous: the first <c>./connect</c> of a run may build the CLI on a busy machine.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly List<string> _lines = [];

    private RunningService(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, line) => Collect(line.Data);
        process.ErrorDataReceived += (_, line) => Collect(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary><c>./connect up args</c> as a child of this process (stdin closed, as under a supervisor).</summary>
    public static RunningService Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        new(ConnectScript.Start(environment, ["bash", ConnectScript.Path, "up", .. args], redirectInput: false));

    /// <summary>
    /// <c>./connect up args</c> in a new pseudo-terminal whose foreground process it is, as in a terminal window;
    /// what this test writes to <c>script</c>'s stdin is typed on that terminal.
    /// </summary>
    public static RunningService StartInTerminal(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var command = string.Join(' ', new[] { "exec", "bash", ConnectScript.Path, "up" }.Concat(args).Select(Quote));
        // A terminal's programs start with SIGINT and SIGQUIT at their defaults; a test run started in the background
        // of a non-interactive shell hands them down ignored, and .NET keeps an inherited "ignore", so Ctrl-C would
        // never arrive. env puts them back, as a real terminal session has them.
        return new(ConnectScript.Start(
            environment, ["env", "--default-signal=INT,QUIT", "script", "-qfec", command, "/dev/null"], redirectInput: true));
    }

    /// <summary>Ctrl-C typed on the terminal: the line discipline sends SIGINT to its foreground process group.</summary>
    public async Task PressCtrlCAsync()
    {
        await _process.StandardInput.WriteAsync('\u0003');
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until a printed line contains <paramref name="text"/>; returns that line.</summary>
    public async Task<string> WaitForLineAsync(string text)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
            {
                if (_lines.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } found)
                {
                    return found;
                }
            }

            if (_process.HasExited)
            {
                Assert.Fail($"./connect up exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }

            Assert.True(deadline.Elapsed < ReadyTimeout, $"./connect up did not print '{text}' within {ReadyTimeout}:\n{Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>The service's base address, from its "serving on URL with ..." line.</summary>
    public async Task<Uri> WaitUntilServingAsync()
    {
        var line = await WaitForLineAsync("connect: serving on ");
        var url = line[(line.IndexOf("serving on ", StringComparison.Ordinal) + "serving on ".Length)..].Split(' ', ',')[0];
        return new Uri(url);
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"./connect up did not exit within {StopTimeout} of being told to stop:\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
