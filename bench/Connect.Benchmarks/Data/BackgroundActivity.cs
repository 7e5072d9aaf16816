using System.Globalization;
using Npgsql;

namespace Connect.Benchmarks.Data;

/// <summary>
/// What else used the machine while a run was measured: PostgreSQL's checkpoints (and the buffers they wrote),
/// autovacuum and autoanalyze runs in the run's database, and the CPU time the hypervisor gave to other guests
/// (steal, from /proc/stat). Two runs of the same code can differ by these alone; the report notes them per run
/// so that an outlier shows its cause instead of passing for the code's.
/// </summary>
internal sealed record BackgroundActivity(long Checkpoints, long CheckpointBuffers, long Autovacuums, long StealTicks, long TotalTicks)
{
    private const string Sql = """
        SELECT (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter),
               (SELECT buffers_checkpoint FROM pg_stat_bgwriter),
               (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0)::bigint FROM pg_stat_all_tables)
        """;

    public static async Task<BackgroundActivity> SnapshotAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        var (steal, total) = CpuTicks();
        return new BackgroundActivity(row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), steal, total);
    }

    /// <summary>What happened between <paramref name="before"/> and this snapshot, as one line for the notes.</summary>
    public string Since(BackgroundActivity before)
    {
        var total = TotalTicks - before.TotalTicks;
        var steal = total > 0 ? 100.0 * (StealTicks - before.StealTicks) / total : 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Checkpoints - before.Checkpoints} checkpoint(s) writing {CheckpointBuffers - before.CheckpointBuffers:N0} buffers, "
            + $"{Autovacuums - before.Autovacuums} autovacuum/autoanalyze run(s) in its database, CPU steal {steal:0.0}%");
    }

    /// <summary>The machine-wide "cpu" line of /proc/stat: steal, and all fields together.</summary>
    private static (long Steal, long Total) CpuTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already inside user.
        return (fields.Length > 7 ? fields[7] : 0, fields.Take(8).Sum());
    }
}
