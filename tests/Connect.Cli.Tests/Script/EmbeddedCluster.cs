using System.Globalization;
using Connect.Infrastructure;
using Connect.Infrastructure.LocalPostgres;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// An embedded cluster of <c>./connect up</c>'s own kind in a temporary folder (never the checkout's
/// <c>.data/postgres</c>), created once per test class and left stopped; the environment points <c>up</c> at it.
/// </summary>
public sealed class EmbeddedCluster : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("connect-up-tests-").FullName;

    public LocalPostgresCluster Cluster { get; private set; } = null!;

    /// <summary>For <c>./connect</c>: this cluster, never a configured database, and the API on any free port.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["ConnectionStrings__Connect"] = null,
        ["Connect__EmbeddedDatabase__DataDirectory"] = Cluster.DataDirectory,
        ["Connect__EmbeddedDatabase__Port"] = Cluster.Port.ToString(CultureInfo.InvariantCulture),
        ["Urls"] = "http://127.0.0.1:0",
    };

    public async Task InitializeAsync()
    {
        Cluster = new LocalPostgresCluster(Path.Combine(_folder, "postgres"), LoopbackPort.Free());
        await Cluster.StartAsync();
        await Cluster.StopAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DeleteAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The PID in postmaster.pid, or null when the file is gone (a cleanly stopped server removes it).</summary>
    public int? PostmasterPid()
    {
        var file = Path.Combine(Cluster.RealDataDirectory, "postmaster.pid");
        return File.Exists(file) ? int.Parse(File.ReadLines(file).First(), CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Every live process whose command line names this cluster's data folder (the postmaster runs with -D).</summary>
    public IReadOnlyList<string> ServerProcesses()
    {
        var found = new List<string>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains("postgres", StringComparison.Ordinal)
                    && commandLine.Contains(Cluster.RealDataDirectory, StringComparison.Ordinal))
                {
                    found.Add($"{pid}: {commandLine}");
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }
}
