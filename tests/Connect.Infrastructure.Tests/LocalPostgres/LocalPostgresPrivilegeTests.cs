using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Connect.Infrastructure.LocalPostgres;
using Connect.Infrastructure.Processes;

namespace Connect.Infrastructure.Tests.LocalPostgres;

/// <summary>
/// Root runs the embedded database's tools and hands folders to the postgres user: nothing that user (or anyone
/// else) can plant, a symbolic link above all, may turn that into root changing, writing or deleting something
/// else. Each test plants the real link as the attacker would and checks the real owner, mode and contents of
/// what it pointed at.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresPrivilegeTests : IAsyncLifetime
{
    private readonly List<LocalPostgresCluster> clusters = [];
    private readonly List<string> cleanUp = [];

    [RootFact]
    public async Task Data_folder_linked_to_a_folder_root_did_not_make_is_refused_and_the_target_keeps_its_owner()
    {
        var victim = NewRootFolder("victim");
        var checkout = NewRootFolder("checkout");
        Directory.CreateDirectory(Path.Combine(checkout, ".data"));
        var requested = Path.Combine(checkout, ".data", "postgres");
        Directory.CreateSymbolicLink(requested, victim);
        var cluster = new LocalPostgresCluster(requested, LoopbackPort.Free());

        var error = await Record.ExceptionAsync(() => cluster.StartAsync());

        Assert.Equal("root:root 755", await Unix.OwnerAndModeAsync(victim));
        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(victim).Select(Path.GetFileName));
        var refused = Assert.IsType<LocalPostgresException>(error);
        Assert.Contains("not followed", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        await Assert.ThrowsAsync<LocalPostgresException>(() => cluster.DeleteAsync());
        Assert.True(File.Exists(Path.Combine(victim, "keep")));
    }

    [RootFact]
    public async Task Link_the_postgres_user_planted_at_the_old_relocation_place_is_never_followed()
    {
        var victim = NewRootFolder("victim");
        var checkout = NewUnreachableCheckout();
        var requested = Path.Combine(checkout, ".data", "postgres");
        var planted = await PlantAsPostgresAsync(requested);
        Assert.Equal(victim, new FileInfo(planted).LinkTarget is { } t ? t : null);

        var cluster = new LocalPostgresCluster(requested, LoopbackPort.Free());
        clusters.Add(cluster);
        var error = await Record.ExceptionAsync(() => cluster.StartAsync());

        Assert.Equal("root:root 755", await Unix.OwnerAndModeAsync(victim));
        Assert.Null(error);
        Assert.Equal(LocalPostgresCluster.ExpectedRelocation(requested), cluster.RealDataDirectory);
        Assert.Equal(cluster.RealDataDirectory, new FileInfo(requested).LinkTarget);
        Assert.Equal("root:root 711", await Unix.OwnerAndModeAsync(LocalPostgresCluster.RelocationRoot));
        Assert.Equal("postgres:postgres 700", await Unix.OwnerAndModeAsync(cluster.RealDataDirectory));

        async Task<string> PlantAsPostgresAsync(string dataDirectory)
        {
            var link = Path.Combine(LocalPostgresCluster.LegacyRelocationRoot, Path.GetFileName(LocalPostgresCluster.ExpectedRelocation(dataDirectory)));
            await Unix.RunAsPostgresAsync("mkdir", "-p", LocalPostgresCluster.LegacyRelocationRoot);
            await Unix.RunAsPostgresAsync("ln", "-sfn", victim, link);
            cleanUp.Add(link);
            return link;
        }
    }

    [RootFact]
    public async Task Link_root_made_to_the_old_relocation_place_is_refused_with_the_way_out()
    {
        var victim = NewRootFolder("victim");
        var checkout = NewUnreachableCheckout();
        var requested = Path.Combine(checkout, ".data", "postgres");
        var legacy = Path.Combine(LocalPostgresCluster.LegacyRelocationRoot, Path.GetFileName(LocalPostgresCluster.ExpectedRelocation(requested)));
        Directory.CreateDirectory(Path.GetDirectoryName(requested)!);
        Directory.CreateSymbolicLink(requested, legacy);

        // The postgres user owns the old place, so it can swap the data folder there for a link at any time.
        await Unix.RunAsPostgresAsync("mkdir", "-p", LocalPostgresCluster.LegacyRelocationRoot);
        await Unix.RunAsPostgresAsync("ln", "-sfn", victim, legacy);
        cleanUp.Add(legacy);
        var cluster = new LocalPostgresCluster(requested, LoopbackPort.Free());

        var error = await Record.ExceptionAsync(() => cluster.StartAsync());

        Assert.Equal("root:root 755", await Unix.OwnerAndModeAsync(victim));
        var refused = Assert.IsType<LocalPostgresException>(error);
        Assert.Contains($"mv {legacy} {LocalPostgresCluster.ExpectedRelocation(requested)}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [RootFact]
    public async Task Postgresql_conf_swapped_for_a_link_is_not_written_through_by_root()
    {
        // A stand-in initdb, run as the postgres user, that leaves postgresql.conf as a link to a root-owned file:
        // what that user could do to a real one between initdb and root's write.
        var folder = NewRootFolder("fake-initdb");
        var victim = Path.Combine(folder, "victim.conf");
        await File.WriteAllTextAsync(victim, "root's own\n");
        var bin = Path.Combine(folder, "bin");
        Directory.CreateDirectory(bin);
        WriteScript(Path.Combine(bin, "initdb"), $$"""
            #!/bin/sh
            while [ $# -gt 0 ]; do if [ "$1" = -D ]; then data="$2"; fi; shift; done
            echo 15 > "$data/PG_VERSION"
            ln -s {{victim}} "$data/postgresql.conf"
            """);
        WriteScript(Path.Combine(bin, "pg_ctl"), "#!/bin/sh\nexit 3\n");
        var cluster = new LocalPostgresCluster(Path.Combine(folder, "data"), LoopbackPort.Free(), bin);
        cleanUp.Add(cluster.PasswordFile);

        await Assert.ThrowsAsync<LocalPostgresException>(() => cluster.StartAsync());

        Assert.Equal("root's own\n", await File.ReadAllTextAsync(victim));
        Assert.Equal("root:root 644", await Unix.OwnerAndModeAsync(victim));
    }

    [RootFact]
    public async Task Clean_up_leaves_alone_a_cluster_folder_in_tmp_that_another_user_made()
    {
        // Any local user can make /tmp/connect-pg-*, name a dead process as its owner and link its data anywhere.
        var victim = NewRootFolder("victim-cluster");
        await File.WriteAllTextAsync(Path.Combine(victim, "PG_VERSION"), "15\n");
        var planted = Path.Combine("/tmp", LocalPostgresCluster.TemporaryPrefix + "planted" + Guid.NewGuid().ToString("N")[..8]);
        await Unix.RunAsPostgresAsync("mkdir", planted);
        cleanUp.Add(planted);
        await Unix.RunAsPostgresAsync("sh", "-c", $"printf %s {await DeadProcessIdAsync()} > {planted}/{LocalPostgresCluster.OwnerFileName}");
        await Unix.RunAsPostgresAsync("ln", "-s", victim, Path.Combine(planted, "data"));

        clusters.Add(await LocalPostgresCluster.CreateTemporaryAsync());

        Assert.True(File.Exists(Path.Combine(victim, "PG_VERSION")));
        Assert.True(File.Exists(Path.Combine(victim, "keep")));
    }

    [RootFact]
    public async Task Clean_up_never_follows_a_link_in_the_private_folder()
    {
        var victim = NewRootFolder("victim-cluster");
        await File.WriteAllTextAsync(Path.Combine(victim, LocalPostgresCluster.OwnerFileName), (await DeadProcessIdAsync()).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(victim, "data"));
        await File.WriteAllTextAsync(Path.Combine(victim, "data", "PG_VERSION"), "15\n");
        clusters.Add(await LocalPostgresCluster.CreateTemporaryAsync()); // makes the private folder
        var link = Path.Combine(LocalPostgresCluster.TemporaryClustersFolder, LocalPostgresCluster.TemporaryPrefix + "link" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateSymbolicLink(link, victim);
        cleanUp.Add(link);

        clusters.Add(await LocalPostgresCluster.CreateTemporaryAsync());

        Assert.True(File.Exists(Path.Combine(victim, "data", "PG_VERSION")));
        Assert.True(File.Exists(Path.Combine(victim, "keep")));
    }

    [RootFact]
    public async Task Throwaway_clusters_live_in_roots_own_folder_and_an_abandoned_one_is_removed()
    {
        var abandoned = await LocalPostgresCluster.CreateTemporaryAsync();
        clusters.Add(abandoned);
        await abandoned.StartAsync();
        var folder = Path.GetDirectoryName(abandoned.DataDirectory)!;

        Assert.Equal(LocalPostgresCluster.TemporaryClustersFolder, Path.GetDirectoryName(folder));
        Assert.Equal("root:root 711", await Unix.OwnerAndModeAsync(LocalPostgresCluster.TemporaryClustersFolder));
        Assert.Equal("root:root 711", await Unix.OwnerAndModeAsync(folder));
        Assert.StartsWith("root:root ", await Unix.OwnerAndModeAsync(Path.Combine(folder, LocalPostgresCluster.OwnerFileName)), StringComparison.Ordinal);
        Assert.Equal("root:root 600", await Unix.OwnerAndModeAsync(abandoned.PasswordFile));
        Assert.Equal("postgres:postgres 700", await Unix.OwnerAndModeAsync(abandoned.DataDirectory));

        // As if the test process that made it had been killed.
        await File.WriteAllTextAsync(Path.Combine(folder, LocalPostgresCluster.OwnerFileName), (await DeadProcessIdAsync()).ToString(CultureInfo.InvariantCulture));
        clusters.Add(await LocalPostgresCluster.CreateTemporaryAsync());

        Assert.False(Directory.Exists(folder));
        Assert.False(await abandoned.IsRunningAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var cluster in clusters)
            {
                await cluster.DeleteAsync();
            }
        }
        finally
        {
            RemovePlantedFiles();
        }
    }

    private void RemovePlantedFiles()
    {
        foreach (var path in cleanUp)
        {
            if (new FileInfo(path).LinkTarget is not null || File.Exists(path))
            {
                File.Delete(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        // The old relocation folder exists only because a test planted links in it.
        if (Directory.Exists(LocalPostgresCluster.LegacyRelocationRoot) && !Directory.EnumerateFileSystemEntries(LocalPostgresCluster.LegacyRelocationRoot).Any())
        {
            Directory.Delete(LocalPostgresCluster.LegacyRelocationRoot);
        }
    }

    /// <summary>A root-owned folder (mode 755, holding a file named keep) that nothing may hand to postgres.</summary>
    private string NewRootFolder(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"connect-{name}-").FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        File.WriteAllText(Path.Combine(folder, "keep"), "keep");
        cleanUp.Add(folder);
        return folder;
    }

    // Like a checkout that CI cloned into a fresh mktemp -d folder (mode 700, owned by root).
    private string NewUnreachableCheckout()
    {
        var checkout = Directory.CreateTempSubdirectory("connect-checkout-").FullName;
        cleanUp.Add(checkout);
        return checkout;
    }

    private static void WriteScript(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = ChildProcess.Start(new ProgramCommand("true", []).ToStartInfo(), _ => { });
        await process.WaitForExitAsync();
        return process.Id;
    }
}

/// <summary>Real owners and modes, read with stat(1), which does not follow a link it is pointed at.</summary>
[UnsupportedOSPlatform("windows")]
internal static class Unix
{
    public static async Task<string> OwnerAndModeAsync(string path) =>
        (await RunAsync("stat", "-c", "%U:%G %a", "--", path)).Trim();

    public static Task<string> RunAsPostgresAsync(params string[] arguments) =>
        RunAsync(new ProgramCommand(arguments[0], arguments[1..]) { User = ProgramUser.Postgres, WorkingDirectory = "/" });

    private static Task<string> RunAsync(string program, params string[] arguments) =>
        RunAsync(new ProgramCommand(program, arguments) { WorkingDirectory = "/" });

    private static async Task<string> RunAsync(ProgramCommand command)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(command, CancellationToken.None);
        Assert.True(exitCode == 0, $"{command.Program} {string.Join(' ', command.Arguments)}: {error}");
        return output;
    }
}
