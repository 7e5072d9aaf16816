using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Connect.Infrastructure.Processes;
using Connect.Testing;

namespace Connect.Cli.Tests;

/// <summary>
/// Drives the real <c>./connect cluster up | status | drill</c> as a person does: the whole topology from the
/// checkout's <c>.data/cluster</c> (or root's relocation of it), a short drill through haproxy, and a stop by SIGTERM and by Ctrl-C typed
/// into a terminal, after which nothing the cluster started may still run. The packages are installed when
/// missing (as root, as in CI); without root and without them the tests are skipped (<see cref="ClusterFactAttribute"/>).
/// </summary>
[Collection(ClusterTopology.Name)]
public sealed class ClusterCommandTests
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(8);

    /// <summary>
    /// The secondary reports "catchingup" until its base backup has replayed, and a postmaster may still be starting,
    /// either of which can outlast the start line on a busy machine; the drill's switchover needs the secondary caught
    /// up, and the stop tests need every process's id.
    /// </summary>
    private static async Task<(CliRun Status, JsonElement Json)> StatusOnceTheSecondaryCaughtUpAsync(int? restartedFrom = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var status = await ConnectProcess.RunAsync(["cluster", "status"]);
            var json = JsonDocument.Parse(status.Stdout).RootElement.Clone();
            var nodes = json.GetProperty("nodes").EnumerateArray().ToList();
            // A node's postmaster can still be starting (pid null) just after the start line on a busy machine.
            var everyPidKnown = nodes.All(n => n.GetProperty("pid").ValueKind == JsonValueKind.Number
                && n.GetProperty("supervisorPid").ValueKind == JsonValueKind.Number);
            var restarted = restartedFrom is not { } old || nodes.All(n => n.GetProperty("supervisorPid").ValueKind != JsonValueKind.Number || n.GetProperty("supervisorPid").GetInt32() != old);
            if ((everyPidKnown && restarted && nodes.Any(n => n.GetProperty("role").GetString() == "secondary")) || DateTime.UtcNow > deadline)
            {
                return (status, json);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    [ClusterFact]
    public async Task Cluster_serves_through_haproxy_passes_a_short_drill_and_SIGTERM_stops_everything_it_started()
    {
        await using var up = ConnectProcess.Start(["cluster", "up"]);
        await up.WaitForStderrAsync("connect: cluster up;", StartLimit);

        var (status, json) = await StatusOnceTheSecondaryCaughtUpAsync();
        var pids = Pids(json);
        var drill = await ConnectProcess.RunAsync(
            ["cluster", "drill", "--accounts", "80", "--rate", "20", "--steady", "2", "--faults", "switchover,postmaster-kill,node-kill,instance-kill"],
            TimeSpan.FromMinutes(20));
        await up.SignalAsync(15);
        var exitCode = await up.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(0, status.ExitCode);
        Assert.Equal("http://127.0.0.1:5080", json.GetProperty("frontUrl").GetString());
        Assert.Contains("Target Session Attributes=read-write", json.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
        Assert.Equal(["monitor", "primary", "secondary"], json.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("role").GetString()).Order());
        Assert.All(json.GetProperty("instances").EnumerateArray(), i => Assert.True(i.GetProperty("healthy").GetBoolean()));
        Assert.True(drill.ExitCode == 0, $"drill failed:{Environment.NewLine}{drill.Stderr}{drill.Stdout}{LogTails("monitor", "node1", "node2")}");
        var report = JsonDocument.Parse(drill.Stdout).RootElement;
        Assert.True(report.GetProperty("passed").GetBoolean());
        Assert.Equal(
            ["switchover", "postmaster-kill", "node-kill", "instance-kill"],
            report.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("fault").GetString()));
        Assert.All(report.GetProperty("phases").EnumerateArray(), p =>
        {
            Assert.Equal(0, p.GetProperty("lostWrites").GetInt32());
            Assert.Equal(0, p.GetProperty("doubleHonours").GetInt32());
            Assert.Equal(0, p.GetProperty("disallowedFailures").GetInt32());
            Assert.True(p.GetProperty("answers").GetProperty("200 -").GetInt32() > 0);
        });
        // Every revocation answered with sessions ended, under every fault, reached the drill's receiver as a verified
        // logout token (docs/contract/signals.md: at least once, from the same commit).
        var signals = report.GetProperty("signals");
        Assert.True(signals.GetProperty("owed").GetInt32() > 0);
        Assert.Equal(0, signals.GetProperty("missing").GetInt32());
        Assert.Equal(0, signals.GetProperty("refused").GetInt32());
        Assert.Equal(0, exitCode);
        AssertAllGone(pids);
    }

    /// <summary>
    /// A node whose pg_autoctl was killed (kill -9 of the id status prints) and restarted by the supervisor must stop
    /// with the rest: the new pg_autoctl, the children the killed one left behind, and the postmaster. Every process the cluster started as postgres carries the
    /// cluster's XDG folders in its environment (its postmaster and backends inherit them), so none can hide.
    /// </summary>
    [ClusterFact]
    public async Task Ctrl_C_in_the_terminal_after_a_nodes_pg_autoctl_was_killed_and_restarted_stops_everything_the_cluster_started()
    {
        // script(1) gives ./connect a pseudo-terminal; the 0x03 typed into it is Ctrl-C, which the terminal
        // turns into SIGINT for the foreground process (cluster up), not for the programs it supervises.
        // SIGINT and SIGQUIT at their defaults, as in a real terminal, however this test run was started (see RunningService).
        // exec: script runs the command through $SHELL -c, and a shell that stays as the parent (dash, CI's /bin/sh)
        // shares the foreground group, dies of the Ctrl-C itself, and script reports 130 while cluster up still stops.
        await using var up = ConnectProcess.Start(
            ["env", "--default-signal=INT,QUIT", "script", "-qfec", $"exec bash {ConnectProcess.Script} cluster up", "/dev/null"], raw: true);
        await up.WaitForStdoutAsync("connect: cluster up;", StartLimit);
        var (_, before) = await StatusOnceTheSecondaryCaughtUpAsync();
        var killed = PgAutoctlOf(before, "node2");
        await ChildProcess.SignalAsync(killed, 9);

        var (status, json) = await StatusOnceTheSecondaryCaughtUpAsync(restartedFrom: killed);
        var pids = Pids(json);
        var startedAsPostgres = ClusterProcesses();
        await up.TypeAsync("\u0003");
        var exitCode = await up.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.NotEqual(killed, PgAutoctlOf(json, "node2"));
        Assert.Equal(0, status.ExitCode);
        Assert.Equal(3 * 2 + 4, pids.Count);
        Assert.NotEmpty(startedAsPostgres);
        Assert.Equal(0, exitCode);
        AssertAllGone(pids);
        Assert.Empty(ClusterProcesses().Select(Describe));
    }

    private static int PgAutoctlOf(JsonElement status, string node) =>
        status.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == node).GetProperty("supervisorPid").GetInt32();

    /// <summary>Every live process whose environment names this cluster's XDG folders (all that pg_autoctl starts).</summary>
    private static List<int> ClusterProcesses()
    {
        var marker = Encoding.UTF8.GetBytes($"XDG_CONFIG_HOME={Path.Combine(new Connect.Cli.Cluster.ClusterLayout(ConnectProcess.Root).XdgRoot, "config")}\0");
        var found = new List<int>();
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || IsZombie(pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(folder, "environ")).AsSpan().IndexOf(marker) >= 0)
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return found;
    }

    /// <summary>The last lines each named process wrote to its log: what a failed run's reader needs to see first.</summary>
    private static string LogTails(params string[] names)
    {
        var layout = new Connect.Cli.Cluster.ClusterLayout(ConnectProcess.Root);
        var text = new StringBuilder();
        foreach (var name in names)
        {
            var path = layout.LogFile(name);
            var lines = File.Exists(path) ? File.ReadLines(path).TakeLast(40) : ["(no log)"];
            text.Append(Environment.NewLine).Append("--- ").Append(path).Append(Environment.NewLine).AppendJoin(Environment.NewLine, lines);
        }

        return text.ToString();
    }

    private static string Describe(int pid)
    {
        try
        {
            return $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (IOException)
        {
            return $"{pid}: (gone)";
        }
    }

    /// <summary>Every process status names: postmasters, pg_autoctls, and the instances' listeners.</summary>
    private static List<int> Pids(JsonElement status)
    {
        var pids = new List<int>();
        foreach (var node in status.GetProperty("nodes").EnumerateArray())
        {
            pids.Add(node.GetProperty("pid").GetInt32());
            pids.Add(node.GetProperty("supervisorPid").GetInt32());
        }

        foreach (var port in new[] { 5080, 5081, 5082, 5083 })
        {
            pids.AddRange(ListeningPids(port));
        }

        return pids;
    }

    private static void AssertAllGone(List<int> pids)
    {
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !IsZombie(pid), $"process {pid} still runs"));
        Assert.False(File.Exists(new Connect.Cli.Cluster.ClusterLayout(ConnectProcess.Root).StateFile));
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>The pids listening on 127.0.0.1:<paramref name="port"/>, from ss(8).</summary>
    internal static IEnumerable<int> ListeningPids(int port)
    {
        var text = ChildProcess.RunAsync(new ProgramCommand("ss", ["-Hltnp", $"sport = :{port}"]), CancellationToken.None)
            .GetAwaiter().GetResult().StandardOutput;
        foreach (var part in text.Split("pid=").Skip(1))
        {
            yield return int.Parse(part[..part.IndexOf(',', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterTopology
{
    public const string Name = "cluster";
}

/// <summary>The real <c>./connect</c> script of this checkout as a child process, its output captured.</summary>
internal sealed class ConnectProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    private ConnectProcess(Process process)
    {
        this.process = process;
    }

    public static string Root => Checkout.Root;

    public static string Script => Path.Combine(Root, "connect");

    public static ConnectProcess Start(IReadOnlyList<string> arguments, bool raw = false)
    {
        var start = new ProcessStartInfo(raw ? arguments[0] : Script)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var argument in raw ? arguments.Skip(1) : arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var running = new ConnectProcess(process);
        process.OutputDataReceived += (_, line) => Append(running.stdout, line.Data);
        process.ErrorDataReceived += (_, line) => Append(running.stderr, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    public static async Task<CliRun> RunAsync(IReadOnlyList<string> arguments, TimeSpan? limit = null)
    {
        await using var run = Start(arguments);
        run.process.StandardInput.Close();
        var exitCode = await run.WaitForExitAsync(limit ?? TimeSpan.FromMinutes(3));
        return new CliRun(arguments, exitCode, Read(run.stdout), Read(run.stderr));
    }

    public Task WaitForStderrAsync(string text, TimeSpan limit) => WaitForAsync(stderr, text, limit);

    public Task WaitForStdoutAsync(string text, TimeSpan limit) => WaitForAsync(stdout, text, limit);

    public async Task TypeAsync(string keys)
    {
        await process.StandardInput.WriteAsync(keys);
        await process.StandardInput.FlushAsync();
    }

    public async Task SignalAsync(int signal)
    {
        await ChildProcess.SignalAsync(process.Id, signal);
    }

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // A failed test must not leave a cluster behind: SIGTERM stops it in order.
            await SignalAsync(15);
            try
            {
                await WaitForExitAsync(TimeSpan.FromMinutes(2));
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private async Task WaitForAsync(StringBuilder output, string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!Read(output).Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited || clock.Elapsed > limit)
            {
                Assert.Fail($"'{text}' never appeared; stdout:{Environment.NewLine}{Read(stdout)}{Environment.NewLine}stderr:{Environment.NewLine}{Read(stderr)}");
            }

            await Task.Delay(250);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
