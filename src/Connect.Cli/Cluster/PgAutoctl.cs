namespace Connect.Cli.Cluster;

/// <summary>
/// Calls to pg_autoctl. Every call runs as <c>postgres</c> with the same XDG folders, or pg_autoctl cannot
/// find the configuration it wrote when it created the node.
/// </summary>
internal sealed class PgAutoctl(ClusterLayout layout)
{
    public const string Program = "pg_autoctl";

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["XDG_CONFIG_HOME"] = Path.Combine(layout.XdgRoot, "config"),
        ["XDG_DATA_HOME"] = Path.Combine(layout.XdgRoot, "data"),
        ["XDG_RUNTIME_DIR"] = Path.Combine(layout.XdgRoot, "run"),
        // pg_autoctl finds pg_ctl on the PATH.
        ["PATH"] = $"{LocalPostgresBinaries.FindBinDirectory()}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        // The monitor's and the replicator's passwords, for every libpq connection pg_autoctl and what it starts
        // (the postmaster's WAL receiver, pg_basebackup, pg_rewind) make: never in a URI, a command line or its config.
        ["PGPASSFILE"] = layout.PgAutoctlPassFile,
    };

    /// <summary>True once pg_autoctl has written the node's configuration: later starts are <c>run</c>, not <c>create</c>.</summary>
    public bool IsCreated(string pgdata) =>
        File.Exists(Path.Combine(layout.XdgRoot, "config", "pg_autoctl", pgdata.TrimStart('/'), "pg_autoctl.cfg"));

    public ProcessStartInfo Start(IEnumerable<string> arguments) =>
        ClusterProgram.StartInfo(Program, arguments, asPostgres: true, Environment);

    public async Task RunCheckedAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var list = arguments.ToList();
        var (exitCode, output, error) = await ChildProcess.RunAsync(Start(list), cancellationToken);
        if (exitCode != 0)
        {
            var last = (error + output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            throw new ClusterException($"pg_autoctl {string.Join(' ', list.Take(2))} failed with exit code {exitCode}: {last}");
        }
    }

    /// <summary>The monitor's view of every node (<c>pg_autoctl show state --json</c>).</summary>
    public async Task<IReadOnlyList<MonitoredNode>> ShowStateAsync(CancellationToken cancellationToken)
    {
        var (exitCode, output, _) = await ChildProcess.RunAsync(
            Start(["show", "state", "--json", "--pgdata", layout.MonitorData]), cancellationToken);
        if (exitCode != 0 || string.IsNullOrWhiteSpace(output))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<MonitoredNode>>(output) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// The monitor's last state changes as the table <c>pg_autoctl show events</c> prints, each with the monitor's
    /// reason, for a person reading why a wait gave up; a note instead when the monitor cannot be asked.
    /// </summary>
    public async Task<string> ShowEventsAsync(int count, CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(
            Start(["show", "events", "--count", count.ToString(CultureInfo.InvariantCulture), "--pgdata", layout.MonitorData]),
            cancellationToken);
        return exitCode == 0 ? output.TrimEnd() : $"(pg_autoctl show events failed with exit code {exitCode}: {error.Trim()})";
    }
}

/// <summary>One row of <c>pg_autoctl show state --json</c>.</summary>
internal sealed record MonitoredNode(
    [property: JsonPropertyName("nodename")] string Name,
    [property: JsonPropertyName("nodeport")] int Port,
    [property: JsonPropertyName("current_group_state")] string ReportedState,
    [property: JsonPropertyName("assigned_group_state")] string AssignedState,
    [property: JsonPropertyName("health")] int Health = 0,
    [property: JsonPropertyName("reported_lsn")] string? ReportedLsnText = null,
    [property: JsonPropertyName("candidate_priority")] int CandidatePriority = 0)
{
    /// <summary>The monitor's own last health check of the node connected (1; 0 not yet checked, -1 failed).</summary>
    public bool PassedHealthCheck => Health == 1;

    /// <summary>The WAL position the node last reported (<c>X/Y</c> in hexadecimal), 0 when it has reported none.</summary>
    public ulong ReportedLsn
    {
        get
        {
            var parts = (ReportedLsnText ?? "").Split('/');
            return parts.Length == 2
                && uint.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var high)
                && uint.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var low)
                ? ((ulong)high << 32) | low
                : 0;
        }
    }

    /// <summary>
    /// Primary while the node accepts writes and the monitor wants it to (<c>wait_primary</c>: writes
    /// acknowledged by the primary alone while the standby is away); secondary when it is a synchronous
    /// standby; else where it is going (a primary the monitor is demoting is "demoted", never "primary").
    /// </summary>
    public string Role => (ReportedState, AssignedState) switch
    {
        ("primary" or "wait_primary" or "single", "primary" or "wait_primary" or "single") => "primary",
        ("secondary", "secondary") => "secondary",
        ("primary" or "wait_primary" or "single", _) => AssignedState,
        _ => ReportedState,
    };
}

/// <summary>The cluster could not be set up, started or driven; the message is for a person.</summary>
internal sealed class ClusterException(string message) : Exception(message);
