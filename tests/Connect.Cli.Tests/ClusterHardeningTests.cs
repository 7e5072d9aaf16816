using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Connect.Cli.Cluster;
using Connect.Infrastructure.Processes;

namespace Connect.Cli.Tests;

/// <summary>
/// What the postgres user and the other local users can do to a running <c>./connect cluster up</c>, and how an
/// operator administers it: one cluster for the whole class (it is slow to start), driven through the real
/// <c>./connect</c> as docs/scaling.md shows.
/// </summary>
[Collection(ClusterTopology.Name)]
public sealed class ClusterHardeningTests(RunningCluster cluster) : IClassFixture<RunningCluster>
{
    [ClusterFact]
    public void Cluster_root_is_roots_and_postgres_owns_only_its_data_folders()
    {
        var layout = new ClusterLayout(ConnectProcess.Root);
        var root = Stat(layout.Root);
        var entries = Directory.GetFileSystemEntries(layout.Root).Select(Path.GetFileName).ToList();
        var postgresOwned = entries.Where(e => Stat(Path.Combine(layout.Root, e!)).Owner == "postgres").Order().ToList();

        Assert.Equal("root", root.Owner);
        Assert.Equal(0, root.Mode & 0b000_010_010);
        Assert.Equal(["monitor", "node1", "node2", "xdg"], postgresOwned);
        foreach (var file in new[] { "state.json", "haproxy.cfg", "haproxy-503.http", "logs" })
        {
            var entry = Stat(Path.Combine(layout.Root, file));
            Assert.Equal(("root", false), (entry.Owner, entry.IsLink));
            Assert.Equal(0, entry.Mode & 0b000_010_010);
        }
    }

    [ClusterFact(rootOnly: true)]
    public async Task Postgres_cannot_plant_a_link_where_root_writes()
    {
        var layout = new ClusterLayout(ConnectProcess.Root);
        var target = Path.Combine(layout.Root, "state.json.tmp");
        var log = layout.LogFile("planted");

        // The link would point at a root-owned decoy, never at a real system file: if this ever regressed, a write
        // through it must not break the machine the tests run on.
        var decoy = Path.Combine(Path.GetTempPath(), $"connect-decoy-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(decoy, "decoy\n");
        var planted = await AsPostgresAsync("ln", "-s", decoy, target);
        var plantedLog = await AsPostgresAsync("ln", "-s", decoy, log);
        var decoyAfter = await File.ReadAllTextAsync(decoy);
        File.Delete(decoy);

        Assert.NotEqual(0, planted);
        Assert.NotEqual(0, plantedLog);
        Assert.False(File.Exists(target) || new FileInfo(target).LinkTarget is not null);
        Assert.Equal("decoy\n", decoyAfter);
    }

    [ClusterFact]
    public void Haproxy_runs_unprivileged_from_a_configuration_only_root_can_change()
    {
        var layout = new ClusterLayout(ConnectProcess.Root);
        var haproxy = ClusterCommandTests.ListeningPids(5080).Distinct().Single();
        var uids = File.ReadLines($"/proc/{haproxy}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1);

        Assert.All(uids, uid => Assert.NotEqual("0", uid));
        Assert.Equal("root", Stat(layout.HaproxyConfig).Owner);
        Assert.Equal("root", Stat(layout.Root).Owner);
    }

    /// <summary>The administrative commands exactly as docs/scaling.md writes them, run by bash from the checkout.</summary>
    [ClusterFact]
    public async Task Administration_as_docs_scaling_shows_it_works_also_for_commands_that_sign()
    {
        var documented = DocumentedAdministration();

        var created = await BashAsync(documented);
        var register = await BashAsync(documented.Replace("./connect account create", $"./connect app register --anchor docs-{Suffix()} --public-key {cluster.PublicKeyFile}", StringComparison.Ordinal));

        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.True(JsonDocument.Parse(created.Stdout).RootElement.TryGetProperty("accountId", out _));
        Assert.True(register.ExitCode == 0, register.Stderr);
        Assert.True(JsonDocument.Parse(register.Stdout).RootElement.TryGetProperty("keyId", out _));
    }

    [ClusterFact]
    public async Task A_refresh_adopted_on_another_instance_within_the_grace_window_is_byte_identical_and_names_the_front()
    {
        var refreshToken = await cluster.IssueSessionAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        var first = await RefreshAsync(http, ClusterLayout.InstanceUrl(0), refreshToken);
        var adopted = await RefreshAsync(http, ClusterLayout.InstanceUrl(1), refreshToken);

        Assert.Equal(first, adopted);
        var payload = JsonDocument.Parse(Base64UrlDecode(first.Split('.')[1])).RootElement;
        Assert.Equal(ClusterLayout.FrontUrl, payload.GetProperty("iss").GetString());
    }

    private static async Task<string> RefreshAsync(HttpClient http, string instance, string refreshToken)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { refreshToken }), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(instance + "/refresh"), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{instance}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("refreshToken").GetString()!;
    }

    private static string Base64UrlDecode(string segment)
    {
        var padded = segment.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }

    /// <summary>The one administrative line docs/scaling.md shows, as it shows it.</summary>
    internal static string DocumentedAdministration()
    {
        var doc = File.ReadAllText(Path.Combine(ConnectProcess.Root, "docs", "scaling.md"));
        return Regex.Match(doc, @"^ConnectionStrings__Connect=.*\./connect account create$", RegexOptions.Multiline).Value;
    }

    internal static async Task<CliRun> BashAsync(string line)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            new ProgramCommand("bash", ["-c", line]) { WorkingDirectory = ConnectProcess.Root }, CancellationToken.None);
        return new CliRun([line], exitCode, stdout, stderr);
    }

    private static async Task<int> AsPostgresAsync(params string[] command)
    {
        var (exitCode, _, _) = await ChildProcess.RunAsync(
            new ProgramCommand(command[0], command[1..]) { User = ProgramUser.Postgres }, CancellationToken.None);
        return exitCode;
    }

    private static string Suffix() => RandomNumberGenerator.GetHexString(8, lowercase: true);

    private static (string Owner, int Mode, bool IsLink) Stat(string path)
    {
        var parts = ChildProcess.RunAsync(new ProgramCommand("stat", ["-c", "%U %a %F", path]), CancellationToken.None)
            .GetAwaiter().GetResult().StandardOutput.Trim().Split(' ', 3);
        return (parts[0], Convert.ToInt32(parts[1], 8), parts[2] == "symbolic link");
    }
}

/// <summary>One <c>./connect cluster up</c> for a test class, stopped by SIGTERM when the class is done.</summary>
public sealed class RunningCluster : IAsyncLifetime
{
    private ConnectProcess? up;
    private string? keyFolder;

    public string PublicKeyFile => Path.Combine(keyFolder!, "public.pem");

    public async Task InitializeAsync()
    {
        // xunit makes the fixture even when every test of the class is skipped: no cluster to start then.
        if (ClusterAvailability.SkipReason is not null)
        {
            return;
        }

        keyFolder = Directory.CreateTempSubdirectory("connect-cluster-key-").FullName;
        using var key = RSA.Create(2048);
        await File.WriteAllTextAsync(PublicKeyFile, key.ExportSubjectPublicKeyInfoPem());
        up = ConnectProcess.Start(["cluster", "up"]);
        await up.WaitForStderrAsync("connect: cluster up;", TimeSpan.FromMinutes(8));
    }

    /// <summary>An application, an account and one session of it, through the documented administration; its refresh token.</summary>
    public async Task<string> IssueSessionAsync()
    {
        var documented = ClusterHardeningTests.DocumentedAdministration();
        var anchor = $"adopt-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        var register = await ClusterHardeningTests.BashAsync(documented.Replace("./connect account create", $"./connect app register --anchor {anchor} --public-key {PublicKeyFile}", StringComparison.Ordinal));
        Assert.True(register.ExitCode == 0, register.Stderr);
        var account = await ClusterHardeningTests.BashAsync(documented);
        Assert.True(account.ExitCode == 0, account.Stderr);
        var accountId = JsonDocument.Parse(account.Stdout).RootElement.GetProperty("accountId").GetString();
        var issued = await ClusterHardeningTests.BashAsync(documented.Replace("./connect account create", $"./connect session issue --account {accountId} --anchor {anchor}", StringComparison.Ordinal));
        Assert.True(issued.ExitCode == 0, issued.Stderr);
        return JsonDocument.Parse(issued.Stdout).RootElement.GetProperty("sessions")[0].GetProperty("refreshToken").GetString()!;
    }

    public async Task DisposeAsync()
    {
        if (up is not null)
        {
            await up.DisposeAsync();
        }

        if (keyFolder is not null)
        {
            Directory.Delete(keyFolder, recursive: true);
        }
    }
}
