using System.Diagnostics;
using Connect.Benchmarks.Baselines;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Hosting;
using Connect.Benchmarks.Load;
using Connect.Benchmarks.Report;
using Connect.Benchmarks.Signals;
using Connect.Testing.Hosting;
using Npgsql;

namespace Connect.Benchmarks;

/// <summary>
/// The signals' runs (docs/contract/bench.md version 3): <c>pipeline_signals</c>, revoke-all with one CAEP receiver per
/// application, and <c>signals_delivery</c>, how long after the revocation's commit the receiver accepted its signal at
/// the light load. The receivers are rows of <c>signal_receivers</c> that point at <see cref="LoopbackReceiver"/>; they
/// exist only while one of these runs is measured, so that <c>pipeline</c>, its twin and pgbench run on the same data
/// without them. The revoking statement reads the receivers each time (no cache), so one service process serves both
/// sides of the pair.
/// </summary>
internal sealed partial class Harness
{
    /// <summary>
    /// How long the outbox may go without a single signal delivered before what is left counts as not delivered: a
    /// full window leaves a backlog whose drain takes as long as it takes, but a stalled one is a failure.
    /// </summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    // One receiver per application, as `./connect app receiver add` would leave it (CAEP, aud = the application's
    // anchor), pointed at the harness's receiver. Written directly: this is fixture data toggled between windows, and
    // the registry's per-application audit rows would only add 1,000 unrelated rows per toggle.
    private const string AddReceiversSql = """
        INSERT INTO signal_receivers (id, application_id, url, format, audience)
        SELECT gen_random_uuid(), id, @Base || id::text, 'caep', anchor FROM applications
        """;

    private const string RemoveReceiversSql = "DELETE FROM signals; DELETE FROM signal_receivers";

    private const string OutboxSql = """
        SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'dead') FROM signals
        """;

    // Each revocation's commit time: revocation_audit.at, the same transaction's now() that the statement also wrote as
    // its signals' committed_at (which the service's connect.signals.delivery_latency starts from). The outbox row itself
    // is deleted once delivered, so the audit row is where it survives. Keyed as the receiver sees a signal: the
    // application (its URL) and the subject in the application's sector (sub_id).
    private const string CommitTimesSql = """
        SELECT a.application_id, s.subject, a.at
          FROM revocation_audit a
          JOIN applications ap ON ap.id = a.application_id
          JOIN sector_subjects s ON s.sector_id = ap.sector_id AND s.account_id = a.account_id
         WHERE a.kind = 'revoke_all' AND a.revoked_count > 0 AND a.at >= @Since
        """;

    private const string RevocationsSinceSql = """
        SELECT count(*) FROM revocation_audit WHERE kind = 'revoke_all' AND revoked_count > 0 AND at >= @Since
        """;

    internal static Task AddReceiversAsync(Dataset data, LoopbackReceiver receiver, CancellationToken cancellationToken) =>
        AddReceiversAsync(data, receiver.UrlBase, cancellationToken);

    private static async Task AddReceiversAsync(Dataset data, string urlBase, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var add = new NpgsqlCommand(AddReceiversSql, connection);
        add.Parameters.AddWithValue("Base", urlBase);
        await add.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static Task RemoveReceiversAsync(Dataset data, CancellationToken cancellationToken) =>
        BenchCluster.ExecuteAsync(data.SuperuserConnectionString, RemoveReceiversSql, cancellationToken);

    private static async Task<(long Pending, long Dead)> OutboxAsync(Dataset data, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(OutboxSql, connection);
        await using var row = await query.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return (row.GetInt64(0), row.GetInt64(1));
    }

    /// <summary>
    /// Waits until no signal is pending, or until none has left the outbox for <see cref="DrainTimeout"/>; answers what
    /// is still pending and dead, and how long it waited.
    /// </summary>
    private static async Task<(long Pending, long Dead, TimeSpan Took)> DrainAsync(Dataset data, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var least = long.MaxValue;
        while (true)
        {
            var (pending, dead) = await OutboxAsync(data, cancellationToken);
            if (pending < least)
            {
                (least, lastProgress) = (pending, clock.Elapsed);
            }

            if (pending == 0 || clock.Elapsed - lastProgress >= DrainTimeout)
            {
                return (pending, dead, clock.Elapsed);
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// One round's <c>pipeline_signals</c> window: <c>pipeline</c>'s workload on the same service with the receivers
    /// registered. The outbox is drained (untimed) before the receivers are removed, and what was still pending when the
    /// window closed is said in a note: delivery work left for after the window is work the window did not pay for.
    /// </summary>
    private async Task<RunReport?> MeasureWithReceiversAsync(
        Dataset small, ServiceProcess service, BenchCluster cluster, StatementCounter? counter, LoopbackReceiver receiver, Warmup warmup,
        RunAccumulator pooled, BenchReport report, CancellationToken cancellationToken)
    {
        receiver.TakeLog();
        await AddReceiversAsync(small, receiver, cancellationToken);
        try
        {
            var since = await DatabaseClockAsync(small, cancellationToken);
            var run = await MeasureAsync(
                "pipeline_signals", small, service, cluster, counter, _plan.Concurrency, null, _plan.PairSeconds, report, cancellationToken, warmup, pooled);
            var (pendingAtClose, _) = await OutboxAsync(small, cancellationToken);
            var (pending, dead, took) = await DrainAsync(small, cancellationToken);
            var owed = await RevocationsSinceAsync(small, since, cancellationToken);
            var accepted = receiver.TakeLog().Count;
            report.Notes.Add(Invariant(
                $"pipeline_signals: {pendingAtClose} signals pending when the window closed, the outbox empty {took.TotalSeconds:0.0} s later; the receiver accepted {accepted} of the {owed} signals owed (warm-up included)"));
            if (pending > 0 || dead > 0 || accepted < owed)
            {
                report.Errors.Add($"pipeline_signals: {accepted} of {owed} signals accepted, {pending} still pending when none had been delivered for {DrainTimeout.TotalSeconds:0} s, {dead} dead-lettered");
            }

            return run;
        }
        finally
        {
            await RemoveReceiversAsync(small, cancellationToken);
        }
    }

    /// <summary>
    /// <c>signals_delivery</c>: the light load (one request at a time, as <c>light_load</c>) with the receivers registered.
    /// Each batch names distinct (account, application) pairs, so each accepted signal belongs to exactly one revocation;
    /// after each batch the outbox is drained and every acceptance in the receiver's log is matched to its revocation's
    /// commit. <c>seconds</c> runs from a batch's first commit to its last acceptance (the batches added up), so
    /// <c>per_second</c> is the delivery rate including the tail.
    /// </summary>
    private async Task<SignalsDeliveryReport?> MeasureSignalsDeliveryAsync(
        Dataset small, ServiceProcess service, BenchCluster cluster, LoopbackReceiver receiver, BenchReport report, CancellationToken cancellationToken)
    {
        Say($"bench: signals_delivery: closed loop, concurrency 1, {_plan.LightSeconds:0.#} s on {small.Shape.Database}, one CAEP receiver per application");
        try
        {
            await AddReceiversAsync(small, receiver, cancellationToken);
            var workload = RevokeAll(small);

            // Untimed: one signal per application through the whole path (the sender's client, the signing key), then drained.
            await workload.RearmAsync(cancellationToken);
            await SegmentAsync(small, service, cluster, null, workload, 1, null, 30, small.TakeOnePerApplication(), cancellationToken);
            await DrainAsync(small, cancellationToken);
            receiver.TakeLog();

            var latencies = new List<double>();
            double loadSeconds = 0, deliverySeconds = 0;
            long owed = 0, unmatched = 0, errors = 0, duplicates = 0;
            while (loadSeconds < _plan.LightSeconds * 0.98)
            {
                var limit = Math.Min(_plan.LightSeconds - loadSeconds, _plan.SegmentSeconds);
                var segment = await SegmentAsync(small, service, cluster, null, workload, 1, null, limit, small.Available, cancellationToken);
                loadSeconds += segment.Result.Elapsed.TotalSeconds;
                errors += segment.Result.Errors;
                await DrainAsync(small, cancellationToken);
                var commits = await CommitTimesAsync(small, segment.Since, cancellationToken);
                owed += commits.Count;
                var accepted = receiver.TakeLog();

                // Delivery is at least once (a lease that ran out sends again): a signal counts at its first acceptance.
                var first = accepted.GroupBy(a => (a.Application, a.Subject)).Select(g => g.MinBy(a => a.AcceptedAtUtc)!).ToList();
                duplicates += accepted.Count - first.Count;
                foreach (var acceptance in first)
                {
                    if (commits.TryGetValue((acceptance.Application, acceptance.Subject), out var committed))
                    {
                        latencies.Add((acceptance.AcceptedAtUtc - committed).TotalMilliseconds);
                    }
                    else
                    {
                        unmatched++;
                    }
                }

                if (accepted.Count > 0 && commits.Count > 0)
                {
                    deliverySeconds += (accepted.Max(a => a.AcceptedAtUtc) - commits.Values.Min()).TotalSeconds;
                }

                if (segment.Result.Requests == 0)
                {
                    break;
                }
            }

            var (_, dead) = await OutboxAsync(small, cancellationToken);
            if (duplicates > 0)
            {
                report.Notes.Add($"signals_delivery: {duplicates} signals were accepted more than once (sent again after a lease ran out); each counted once");
            }

            if (latencies.Count < owed || unmatched > 0 || dead > 0 || errors > 0 || receiver.Refused > 0)
            {
                report.Errors.Add($"signals_delivery: {latencies.Count} of {owed} signals accepted and matched to their revocation, {unmatched} acceptances "
                    + $"matched none, {dead} dead-lettered, {receiver.Refused} refused by the receiver, {errors} revoke-all errors");
            }

            if (latencies.Count == 0)
            {
                return null;
            }

            latencies.Sort();
            var result = new SignalsDeliveryReport(
                latencies.Count, Math.Round(deliverySeconds, 3), Math.Round(latencies.Count / Math.Max(deliverySeconds, 0.001), 1),
                Math.Round(Percentile(latencies, 0.50), 2), Math.Round(Percentile(latencies, 0.99), 2));
            report.Notes.Add(Invariant($"signals_delivery: {owed} revocations at concurrency 1 over {loadSeconds:0.0} s of load")
                + "; latency from the revoking transaction's now() (revocation_audit.at = signals.committed_at, at or before the commit, "
                + "so never flattering) to the receiver's acceptance, on one machine's clock");
            Say(Invariant($"bench: signals_delivery: {result.Delivered} delivered, p50 {result.CommitToDeliveryP50Ms:0.0} ms, p99 {result.CommitToDeliveryP99Ms:0.0} ms"));
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Errors.Add($"signals_delivery: {e.GetType().Name}: {e.Message}");
            Say($"bench: signals_delivery failed: {e.Message}");
            return null;
        }
        finally
        {
            await RemoveReceiversAsync(small, cancellationToken);
        }
    }

    internal static async Task<Dictionary<(Guid Application, string Subject), DateTime>> CommitTimesAsync(
        Dataset data, DateTime since, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(CommitTimesSql, connection);
        query.Parameters.AddWithValue("Since", since);
        await using var rows = await query.ExecuteReaderAsync(cancellationToken);
        var commits = new Dictionary<(Guid, string), DateTime>();
        while (await rows.ReadAsync(cancellationToken))
        {
            // A batch names each pair once, so a key is never seen twice.
            commits.Add((rows.GetGuid(0), rows.GetString(1)), rows.GetFieldValue<DateTime>(2));
        }

        return commits;
    }

    /// <summary>One signal is owed per revocation that revoked something (one receiver per application).</summary>
    private static async Task<long> RevocationsSinceAsync(Dataset data, DateTime since, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(RevocationsSinceSql, connection);
        count.Parameters.AddWithValue("Since", since);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double share) =>
        sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>
    /// What the outbox alone costs the database: <c>pgbench_statements</c> (the adapters' own statement, whose
    /// revocation writes the signals in the same statement) again with one receiver per application, and nothing
    /// delivering (pgbench runs no worker). Noted beside <c>pipeline_signals</c>, which pays for the delivery too; not
    /// one of docs/contract/bench.md's keys.
    /// </summary>
    private async Task MeasureOutboxWriteAsync(
        Dataset small, BenchCluster cluster, string work, PgbenchReport withoutReceivers, BenchReport report, CancellationToken cancellationToken)
    {
        await AddReceiversAsync(small, LoopbackReceiver.UnreachableUrlBase, cancellationToken);
        try
        {
            var script = Pgbench.Statements(_plan.Small.Applications) with { Name = "pgbench_statements_with_receivers" };
            if (await PgbenchAsync(script, small, cluster, work, report, cancellationToken) is { } withReceivers)
            {
                var signals = await BenchCluster.ScalarAsync<long>(small.SuperuserConnectionString, "SELECT count(*) FROM signals", cancellationToken);
                report.Notes.Add(Invariant(
                    $"the outbox's write alone: pgbench_statements {withReceivers.Tps:0} tps with one receiver per application ({signals} signals written, none delivered) ")
                    + Invariant($"against {withoutReceivers.Tps:0} tps without, {withReceivers.Tps / withoutReceivers.Tps:0.000} of it"));
            }
        }
        finally
        {
            await RemoveReceiversAsync(small, cancellationToken);
        }
    }
}
