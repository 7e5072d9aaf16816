using System.Diagnostics;
using System.Text.Json;
using Connect.Cli.Cluster;
using Connect.Infrastructure.LocalPostgres;
using Connect.Infrastructure.Processes;
using Npgsql;

namespace Connect.Cli.Tests;

/// <summary>
/// Who may log in to a running <c>./connect cluster up</c>'s servers: no one without a password over TCP, only the
/// postgres OS user over the sockets, the instances and the administrative commands as a role that may change
/// Connect's rows and nothing else. One cluster for the class, driven through the real <c>./connect</c>.
/// </summary>
[Collection(ClusterTopology.Name)]
public sealed class ClusterAuthenticationTests(RunningCluster cluster) : IClassFixture<RunningCluster>
{
    private static readonly string[] Roles = ["postgres", "pgautofailover_replicator", "autoctl_node", "connect_service"];

    private static int[] Ports => [ClusterLayout.MonitorPort, .. ClusterLayout.NodeNames.Select((_, i) => ClusterLayout.NodePort(i))];

    [ClusterFact]
    public async Task No_role_logs_in_over_tcp_without_a_password_on_the_monitor_or_a_node()
    {
        foreach (var port in Ports)
        {
            foreach (var role in Roles)
            {
                // As a user with no pass file, as any other local user would connect.
                var run = await OnceTheServerListensAsync(() => AsNobodyAsync(
                    Psql(), "-X", "-w", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", role, "-d", "postgres", "-c", "select 1"));

                Assert.True(run.ExitCode != 0, $"{role} logged in on 127.0.0.1:{port} without a password");
                Assert.Contains("password", run.Stderr, StringComparison.Ordinal);
            }
        }
    }

    [ClusterFact(rootOnly: true)]
    public async Task Another_local_user_cannot_log_in_over_the_sockets()
    {
        foreach (var port in Ports)
        {
            foreach (var role in Roles)
            {
                var run = await AsNobodyAsync(Psql(), "-X", "-w", "-h", "/var/run/postgresql", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", role, "-d", "postgres", "-c", "select 1");

                Assert.True(run.ExitCode != 0, $"{role} logged in over the socket of port {port} as another local user");
            }
        }
    }

    [ClusterFact(rootOnly: true)]
    public async Task The_service_role_changes_rows_but_is_no_superuser_and_creates_nothing()
    {
        var layout = new ClusterLayout(ConnectProcess.Root);
        await using var connection = new NpgsqlConnection(layout.WithServicePassword(ClusterLayout.ConnectionString()));
        await connection.OpenAsync();
        await using var who = new NpgsqlCommand(
            "select current_user, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls from pg_roles where rolname = current_user", connection);
        await using var reader = await who.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var role = (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5));
        await reader.CloseAsync();
        await using var count = new NpgsqlCommand("select count(*) from accounts", connection);
        await count.ExecuteScalarAsync();
        await using var create = new NpgsqlCommand("create table planted (id int)", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => create.ExecuteNonQueryAsync());

        Assert.Equal(("connect_service", false, false, false, false, false), role);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [ClusterFact(rootOnly: true)]
    public async Task Status_names_the_service_role_and_no_password_and_the_documented_administration_works_with_it()
    {
        var status = await ClusterHardeningTests.BashAsync("./connect cluster status");
        var connectionString = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("connectionString").GetString()!;
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        var refreshToken = await cluster.IssueSessionAsync();

        Assert.Equal(("connect_service", null, "ScramSHA256"), (given.Username, given.Password, given.RequireAuth));
        Assert.DoesNotContain(File.ReadAllText(new ClusterLayout(ConnectProcess.Root).ServicePasswordFile).Trim(), status.Stdout + status.Stderr, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(refreshToken));
    }

    [ClusterFact(rootOnly: true)]
    public void Password_files_are_mode_600_and_root_keeps_its_own_while_pg_autoctl_keeps_its_own()
    {
        var layout = new ClusterLayout(ConnectProcess.Root);

        Assert.Equal(("root", "600", "regular file"), Stat(layout.SuperuserPasswordFile));
        Assert.Equal(("root", "600", "regular file"), Stat(layout.ServicePasswordFile));
        Assert.Equal(("postgres", "600", "regular file"), Stat(layout.PgAutoctlPassFile));
        Assert.Equal(("postgres", "700", "directory"), Stat(layout.XdgRoot));
    }

    /// <summary>
    /// The attempt again while the server is not there to judge it: the class's cluster is the one an earlier class
    /// drilled, and a node that pg_auto_failover is still restarting refuses the connection or is starting up. A
    /// refusal that is about the login is the answer; after two minutes whatever was answered is.
    /// </summary>
    private static async Task<CliRun> OnceTheServerListensAsync(Func<Task<CliRun>> attempt)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var run = await attempt();
            var notThere = run.Stderr.Contains("Connection refused", StringComparison.Ordinal)
                || run.Stderr.Contains("the database system is", StringComparison.Ordinal);
            if (run.ExitCode == 0 || !notThere || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static string Psql() => Path.Combine(LocalPostgresBinaries.FindBinDirectory(), "psql");

    private static async Task<CliRun> AsNobodyAsync(params string[] command)
    {
        // Nothing of ours: no pass file, no password in the environment, none of root's groups.
        var run = new ProgramCommand(command[0], command[1..])
        {
            User = new ProgramUser("nobody", "nogroup", Home: "/nonexistent"),
            Unset = ["PGPASSWORD", "PGPASSFILE"],
            WorkingDirectory = "/",
        };
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(run, CancellationToken.None);
        return new CliRun(command, exitCode, stdout, stderr);
    }

    private static (string Owner, string Mode, string Type) Stat(string path)
    {
        var parts = ChildProcess.RunAsync(new ProgramCommand("stat", ["-c", "%U|%a|%F", path]), CancellationToken.None)
            .GetAwaiter().GetResult().StandardOutput.Trim().Split('|');
        return (parts[0], parts[1], parts[2]);
    }
}
