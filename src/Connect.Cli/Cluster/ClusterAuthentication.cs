namespace Connect.Cli.Cluster;

/// <summary>
/// Who may log in to the cluster's servers. initdb writes <c>trust</c> for every local and loopback connection;
/// here the sockets become <c>peer</c> (only the postgres OS user, as the postgres role: pg_autoctl's own
/// connections) and TCP <c>scram-sha-256</c>, and every role that logs in over TCP gets a generated password:
/// <c>autoctl_node</c> on the monitor and <c>pgautofailover_replicator</c> (a superuser pg_autoctl makes) in the
/// postgres user's pass file, the <c>postgres</c> superuser and the <c>connect_service</c> role in root's files.
/// Passwords travel only through pipes and files, never on a command line.
/// </summary>
internal sealed class ClusterAuthentication(ClusterLayout layout, PgAutoctl pgAutoctl)
{
    /// <summary>The monitor's role for the nodes' pg_autoctl (its URI names it, the pass file holds its password).</summary>
    public const string MonitorUser = "autoctl_node";

    /// <summary>The role standbys, pg_basebackup and pg_rewind connect as; pg_autoctl makes it a superuser.</summary>
    public const string ReplicationUser = "pgautofailover_replicator";

    // Every trust line: initdb's (which come first, and the first matching line wins) and pg_autoctl's own (the
    // monitor's health check is always written as trust; its role's fixed password then serves over SCRAM).
    private const string HardenHba =
        "sed -i -E -e '/^local[[:space:]]/ s/[[:space:]]trust([[:space:]]|$)/ peer\\1/' " +
        "-e '/^host(ssl)?[[:space:]]/ s/[[:space:]]trust([[:space:]]|$)/ scram-sha-256\\1/' -- \"$1\"";

    private string? monitorPassword;
    private string? replicationPassword;

    /// <summary>
    /// Makes pg_autoctl's pass file, as the postgres user in its own folder, before the monitor exists. A cluster
    /// made before this (trust everywhere, no passwords) is refused: it cannot be converted in place safely.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var (exists, _, _) = await ChildProcess.RunAsync(
            ClusterProgram.StartInfo("test", ["-e", layout.PgAutoctlPassFile], asPostgres: true), cancellationToken);
        if (exists == 0)
        {
            await ReadPassFileAsync(cancellationToken);
            return;
        }

        if (pgAutoctl.IsCreated(layout.MonitorData))
        {
            throw new ClusterException(
                $"{layout.Root} was made by an older ./connect, which let every local user in without a password; " +
                $"remove it (rm -rf {layout.Root}) and run ./connect cluster up again");
        }

        monitorPassword = NewPassword();
        replicationPassword = NewPassword();
        var content = string.Create(CultureInfo.InvariantCulture,
            $"*:{ClusterLayout.MonitorPort}:pg_auto_failover:{MonitorUser}:{monitorPassword}\n127.0.0.1:*:*:{ReplicationUser}:{replicationPassword}\n");
        // noclobber: the shell opens the file with O_EXCL; umask 077: mode 600 from the start.
        var (exitCode, _, error) = await ChildProcess.RunAsync(
            ClusterProgram.StartInfo("sh", ["-c", "umask 077 && set -C && cat > \"$1\"", "sh", layout.PgAutoctlPassFile], asPostgres: true),
            cancellationToken,
            content);
        if (exitCode != 0)
        {
            throw new ClusterException($"could not write {layout.PgAutoctlPassFile}: {error.Trim()}");
        }
    }

    // Read as the postgres user: the file is in its folder, and root reads nothing through a link it may have put there.
    private async Task ReadPassFileAsync(CancellationToken cancellationToken)
    {
        var (exitCode, output, _) = await ChildProcess.RunAsync(
            ClusterProgram.StartInfo("cat", ["--", layout.PgAutoctlPassFile], asPostgres: true), cancellationToken);
        foreach (var line in exitCode == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [])
        {
            var fields = line.Split(':');
            if (fields.Length == 5)
            {
                monitorPassword = fields[3] == MonitorUser ? fields[4] : monitorPassword;
                replicationPassword = fields[3] == ReplicationUser ? fields[4] : replicationPassword;
            }
        }

        if (monitorPassword is null || replicationPassword is null)
        {
            throw new ClusterException($"{layout.PgAutoctlPassFile} does not hold the monitor's and the replicator's passwords; remove {layout.Root} and start again");
        }
    }

    /// <summary>
    /// Before the monitor first runs: its socket peer, its TCP SCRAM. The monitor's own pg_autoctl reaches it over
    /// the socket as <c>autoctl_node</c>, which peer (postgres is not autoctl_node) would refuse: that one line asks
    /// for the password, ahead of the rest.
    /// </summary>
    public async Task HardenMonitorAsync(CancellationToken cancellationToken)
    {
        await HardenHbaAsync(layout.MonitorData, cancellationToken);
        await RunAsPostgresAsync(
            $"sed -i -E '0,/^local[[:space:]]/ s/^(local[[:space:]])/local   pg_auto_failover {MonitorUser} scram-sha-256\\n\\1/' -- \"$1\"",
            Path.Combine(layout.MonitorData, "pg_hba.conf"),
            cancellationToken);
    }

    /// <summary>Once the monitor runs for the first time: <c>autoctl_node</c>'s password, for the nodes to register.</summary>
    public Task SetMonitorPasswordAsync(CancellationToken cancellationToken) =>
        PsqlAsync(ClusterLayout.MonitorPort, "pg_auto_failover", $"{PasswordStatement(MonitorUser, monitorPassword!)}SELECT pg_reload_conf();\n", cancellationToken);

    /// <summary>
    /// Once the first node is a primary, before the standby is cloned from it (which copies its pg_hba.conf and
    /// its roles): its authentication hardened, the replicator's password and the superuser's set.
    /// </summary>
    public async Task HardenFirstPrimaryAsync(string node, int port, CancellationToken cancellationToken)
    {
        await HardenHbaAsync(layout.NodeData(node), cancellationToken);
        SecretFile.TryCreate(layout.SuperuserPasswordFile, NewPassword());
        var superuserPassword = SecretFile.Read(layout.SuperuserPasswordFile);
        await PsqlAsync(
            port,
            ClusterLayout.DatabaseName,
            CreateReplicationUser + PasswordStatement(ReplicationUser, replicationPassword!) + PasswordStatement(ClusterLayout.DatabaseUser, superuserPassword) + "SELECT pg_reload_conf();\n",
            cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> as the postgres user over the node's socket (peer), one statement at a time.</summary>
    public async Task PsqlAsync(int port, string database, string sql, CancellationToken cancellationToken)
    {
        var psql = Path.Combine(LocalPostgresBinaries.FindBinDirectory(), "psql");
        var (exitCode, _, error) = await ChildProcess.RunAsync(
            ClusterProgram.StartInfo(
                psql,
                ["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-p", port.ToString(CultureInfo.InvariantCulture), "-d", database, "-f", "-"],
                asPostgres: true,
                pgAutoctl.Environment),
            cancellationToken,
            sql);
        if (exitCode != 0)
        {
            throw new ClusterException($"psql on 127.0.0.1:{port} failed: {error.Trim()}");
        }
    }

    /// <summary>True when the server answers over its socket and takes writes.</summary>
    public async Task<bool> IsWritableAsync(int port, string database, CancellationToken cancellationToken)
    {
        try
        {
            await PsqlAsync(port, database, "DO $$ BEGIN IF pg_is_in_recovery() THEN RAISE EXCEPTION 'read-only'; END IF; END $$;\n", cancellationToken);
            return true;
        }
        catch (ClusterException)
        {
            return false;
        }
    }

    private static Task HardenHbaAsync(string pgdata, CancellationToken cancellationToken) =>
        RunAsPostgresAsync(HardenHba, Path.Combine(pgdata, "pg_hba.conf"), cancellationToken);

    /// <summary>A shell line run as the postgres user on its own file (<c>$1</c>).</summary>
    private static async Task RunAsPostgresAsync(string script, string file, CancellationToken cancellationToken)
    {
        var (exitCode, _, error) = await ChildProcess.RunAsync(
            ClusterProgram.StartInfo("sh", ["-c", script, "sh", file], asPostgres: true), cancellationToken);
        if (exitCode != 0)
        {
            throw new ClusterException($"could not change the authentication in {file}: {error.Trim()}");
        }
    }

    // pg_autoctl makes this role only when a standby first asks for it (as below: its CREATE then finds it and
    // goes on); the standby's base backup needs its password before that.
    private const string CreateReplicationUser =
        "SELECT 'CREATE ROLE " + ReplicationUser + " LOGIN SUPERUSER REPLICATION' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ReplicationUser + "') \\gexec\n";

    // Hex: no quoting needed, and SCRAM stores only a verifier. The statement goes through a pipe to psql; with
    // log_statement at its default (none) the server does not log it.
    private static string PasswordStatement(string role, string password) =>
        $"SET password_encryption = 'scram-sha-256';\nALTER ROLE {role} PASSWORD '{password}';\n";

    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
