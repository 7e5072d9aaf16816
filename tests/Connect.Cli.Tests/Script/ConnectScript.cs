using System.Diagnostics;
using System.Text;
using Connect.Infrastructure.Processes;
using Connect.Testing;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// The real <c>./connect</c> at the root of this checkout, run as a person runs it: a separate process, its own
/// build step, its real stdout and stderr. Wherever the checkout is cloned (CI clones into a temporary folder).
/// </summary>
internal static class ConnectScript
{
    /// <summary>The first command of a run may build the CLI; on a busy two-core machine that takes minutes.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    public static string Root => Checkout.Root;

    public static string Path => System.IO.Path.Combine(Root, "connect");

    /// <summary>Runs <c>./connect args</c> to the end with <paramref name="environment"/> added to (or, when null, removed from) ours.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(Command(environment, ["bash", Path, .. args]), timeout.Token);
            return new CliRun(args, exitCode, stdout, stderr);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"./connect {string.Join(' ', args)} did not finish within {CommandTimeout}");
        }
    }

    /// <summary>Starts <paramref name="command"/> in the checkout root with stdout and stderr (and, if asked, stdin) redirected.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> command, bool redirectInput)
    {
        var start = Command(environment, command).ToStartInfo();
        start.RedirectStandardInput = redirectInput;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT) to one process, as <c>kill</c> in a shell does.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        var (exitCode, _, _) = await ChildProcess.RunAsync(
            new ProgramCommand("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]), CancellationToken.None);
        Assert.Equal(0, exitCode);
    }

    /// <summary><paramref name="command"/> in the checkout root, with <paramref name="environment"/> added to (or, when null, removed from) ours.</summary>
    private static ProgramCommand Command(IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> command) =>
        new(command[0], command.Skip(1))
        {
            WorkingDirectory = Root,
            Environment = environment.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!),
            Unset = [.. environment.Where(e => e.Value is null).Select(e => e.Key)],
        };
}
