using System.Diagnostics;
using System.Text;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// The real <c>./connect</c> at the root of this checkout, run as a person runs it: a separate process, its own
/// build step, its real stdout and stderr. Wherever the checkout is cloned (CI clones into a temporary folder).
/// </summary>
internal static class ConnectScript
{
    /// <summary>The first command of a run may build the CLI; on a busy two-core machine that takes minutes.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    public static string Root { get; } = FindRoot();

    public static string Path => System.IO.Path.Combine(Root, "connect");

    /// <summary>Runs <c>./connect args</c> to the end with <paramref name="environment"/> added to (or, when null, removed from) ours.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(environment, ["bash", Path, .. args], redirectInput: false);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"./connect {string.Join(' ', args)} did not finish within {CommandTimeout}");
        }

        return new CliRun(args, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <paramref name="command"/> in the checkout root with stdout and stderr (and, if asked, stdin) redirected.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> command, bool redirectInput)
    {
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = Root,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT) to one process, as <c>kill</c> in a shell does.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Connect.sln"))
                && File.Exists(System.IO.Path.Combine(folder.FullName, "connect")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no checkout (Connect.sln beside connect) above {AppContext.BaseDirectory}");
    }
}
