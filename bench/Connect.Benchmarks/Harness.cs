using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Connect.Application.Administration;
using Connect.Benchmarks.Baselines;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Hosting;
using Connect.Benchmarks.Load;
using Connect.Benchmarks.Report;
using Connect.Infrastructure.Postgres;
using Connect.Testing.Hosting;
using Npgsql;

namespace Connect.Benchmarks;

/// <param name="Durable">PostgreSQL's production durability settings for the measured runs (the default); false is <c>--fast-commits</c>.</param>
/// <param name="Only">The parts to run (<see cref="Parts"/>); null runs them all.</param>
internal sealed record BenchOptions(bool Quick, string? JsonFile, bool Check, bool Durable, IReadOnlySet<string>? Only = null)
{
    public static readonly string[] Parts =
        ["pipeline", "light_load", "open_model", "handwritten", "handwritten_open_model", "open_model_curve", "pipeline_large", "pgbench", "micro",
         "refresh", "handwritten_refresh", "introspect", "handwritten_introspect", "redeem", "handwritten_redeem",
         "pipeline_signals", "signals_delivery"];

    public bool Runs(string part) => Only is null || Only.Contains(part);
}

/// <summary>
/// How long and how big: the full measurement, or CI's quick smoke run of every part. The open model holds at
/// most <see cref="OpenConnections"/> requests in the server at once (later arrivals wait, inside their latency,
/// for a connection): the service's connection pool (100) is as large as the cluster's max_connections (100, 3 of
/// them reserved for superusers), so more than ~97 requests in flight fail with 53300 (503), which is a finding
/// about pool sizing, not what this run is for.
/// </summary>
/// <param name="PairSeconds">The window of each round of a paired run (and of each point of the open-model curve).</param>
/// <param name="RoundWarmupSeconds">
/// The untimed batch before a later round on a server already warmed up: it re-opens the connections and pools after
/// the other side's window, not the JIT.
/// </param>
internal sealed record Plan(
    bool Quick, int Concurrency, double RunSeconds, double LightSeconds, double WarmupSeconds, double SegmentSeconds,
    double PgbenchSeconds, DataShape Small, DataShape Large, int Keys, int OpenConnections, double PairSeconds, double RoundWarmupSeconds)
{
    /// <summary>docs/contract/bench.md version 3: the paired runs alternate three times.</summary>
    public const int Rounds = 3;

    public static Plan For(bool quick) => quick
        ? new(true, 16, 4, 3, 3, 10, 2, new("connect_small", 100, 1000), new("connect_large", 2_000, 1000), 8, 64, 2, 0.5)
        : new(false, 16, 30, 20, FullWarmupSeconds, 20, 20, new("connect_small", 100, 1000), new("connect_large", 100_000, 1000), 32, 64, 20, 3);

    /// <summary>
    /// Under load on two cores, perf showed the service's tiered JIT (the ".NET Tiered Com" thread) taking 20-33%
    /// of its CPU for the first ~15 s and under 1% after: the full run's windows start after that.
    /// </summary>
    private const double FullWarmupSeconds = 20;
}

/// <summary>
/// The whole measurement: a throwaway cluster, seeded data, the service and its baselines under load, pgbench,
/// the micro benchmarks, the report. Everything it starts it stops again, also on failure and Ctrl-C.
/// </summary>
/// <summary>How much untimed load a server gets before a run's window.</summary>
internal enum Warmup
{
    /// <summary>One request per application, then <see cref="Plan.WarmupSeconds"/>: JIT tiering, caches, pools.</summary>
    Full,

    /// <summary><see cref="Plan.RoundWarmupSeconds"/>: a later round on a server that already had its full warm-up.</summary>
    Round,
}

internal sealed partial class Harness(BenchOptions options, Paths paths, TextWriter console)
{
    /// <summary>How long a server under load may take to answer its first /health.</summary>
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(90);

    private readonly Plan _plan = Plan.For(options.Quick);
    private readonly List<RSAParameters> _signingKeys = [];
    private readonly List<ClientPublicKey> _publicKeys = [];

    /// <summary>The service's own token-signing keys of every data set's applications (not the clients' keys above).</summary>
    private SigningKeyPool? _serviceSigningKeys;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("connect-bench-").FullName;
        var clock = Stopwatch.StartNew();
        var report = new BenchReport { Quick = options.Quick, Durable = options.Durable, Machine = await MachineAsync(cancellationToken) };
        Say($"bench: {(options.Quick ? "quick smoke run" : "full run")}, {(options.Durable ? "durable" : "--fast-commits")}; logs in {work}; load average at start {LoadAverage()}");
        report.Notes.Add($"load average (1/5/15 min) at start: {LoadAverage()}");

        try
        {
            await MeasureAllAsync(report, work, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Directory.Delete(work, recursive: true);
            Say("bench: interrupted; everything it started has been stopped and removed");
            return 130;
        }

        report.Notes.Add($"load average (1/5/15 min) at end: {LoadAverage()}; whole run took {clock.Elapsed.TotalSeconds:0} s");
        console.WriteLine();
        console.Write(ReportText.Render(report));

        if (options.JsonFile is { } file)
        {
            await using (var stream = File.Create(file))
            {
                ReportJson.Write(report, stream);
            }

            Say($"bench: wrote {file}");
        }

        var status = 0;
        if (options.Check)
        {
            status = Check(report, options.JsonFile, work);
        }

        // Logs are kept for a run that went wrong; parts left out with --only are not that.
        if (status == 0 && report.Errors.Count == (options.Only is null ? 0 : 1))
        {
            Directory.Delete(work, recursive: true);
        }

        return status;
    }

    private int Check(BenchReport report, string? file, string work)
    {
        var checkedFile = file ?? Path.Combine(work, "bench.json");
        if (file is null)
        {
            using var stream = File.Create(checkedFile);
            ReportJson.Write(report, stream);
        }

        var problems = ReportJson.Check(checkedFile);
        var erroredRuns = report.Runs.Where(run => run.Value is { Errors: > 0 }).Select(run => run.Key).ToList();
        if (erroredRuns.Count > 0 && options.Quick)
        {
            Say($"bench check: runs with errors (reported, not failing a quick run unless every request failed): {string.Join(", ", erroredRuns)}");
        }

        foreach (var problem in problems)
        {
            Say($"bench check: {problem}");
        }

        Say(problems.Count == 0 ? $"bench check: ok ({checkedFile} has every key of docs/contract/bench.md)" : $"bench check: FAILED ({problems.Count} problem(s)); logs kept in {work}");
        return problems.Count == 0 ? 0 : 1;
    }

    private async Task MeasureAllAsync(BenchReport report, string work, CancellationToken cancellationToken)
    {
        await CreateKeysAsync(cancellationToken);
        using var serviceSigningKeys = _serviceSigningKeys = await SigningKeyPool.CreateAsync(_plan.Keys, _keyEncryptionKey, cancellationToken);
        await using var cluster = await BenchCluster.StartAsync(cancellationToken);
        report.Machine = report.Machine with { Postgres = cluster.ServerVersion.Split(' ')[0] };
        Say($"bench: PostgreSQL {cluster.ServerVersion} on 127.0.0.1:{cluster.Port}; pg_stat_statements {(cluster.HasStatementStatistics ? "loaded" : "NOT available: statement counts will be null")}");
        if (!cluster.HasStatementStatistics)
        {
            report.Errors.Add("pg_stat_statements is not available: db_round_trips_per_request and commits_per_request are null");
        }

        var small = await SeedAsync(cluster, _plan.Small, rearmed: true, report, cancellationToken);
        var large = options.Runs("pipeline_large") ? await SeedAsync(cluster, _plan.Large, rearmed: false, report, cancellationToken) : null;
        var lifecycle = await SeedLifecycleAsync(cluster, report, cancellationToken);
        if (options.Quick && large is not null)
        {
            report.Notes.Add($"--quick: the \"large\" data set has {_plan.Large.Tokens:N0} tokens, not 10 million ({_plan.Large.Accounts:N0} accounts, {_plan.Large.Applications:N0} applications)");
        }

        if (large is not null)
        {
            await CheckRevocationPlanAsync(large, report, cancellationToken);
        }

        if (options.Only is { } only)
        {
            report.Errors.Add($"--only {string.Join(",", only)}: the other parts were not run");
        }

        if (options.Durable)
        {
            await cluster.MakeDurableAsync(cancellationToken);
        }

        var durability = await cluster.DurabilityAsync(cancellationToken);
        report.Notes.Add(options.Durable
            ? $"database: production durability for the measured runs ({durability}); seeding ran without it"
            : $"database: --fast-commits ({durability}): commits do not wait for the disk; without the flag every writing commit waits for its WAL flush");
        report.Notes.Add("rate budget: production default (token bucket 100, refilled at 50/s per application), not raised; the load is spread over "
            + $"{_plan.Small.Applications} applications, each request names a random (account, application) pair");
        report.Notes.Add($"each request revokes the 2..6 (4 on average) active tokens of its pair; an answer other than 200 with that count is an error");

        var roleOid = await cluster.ServiceRoleOidAsync(cancellationToken);
        StatementCounter? Counter(string database, uint oid) =>
            cluster.HasStatementStatistics ? new StatementCounter(cluster.AdminConnectionString, oid, roleOid) : null;
        var smallCounter = Counter(_plan.Small.Database, await cluster.DatabaseOidAsync(_plan.Small.Database, cancellationToken));
        var serviceDll = paths.ServiceDll;
        await MeasureRevokeAllAsync(small, cluster, smallCounter, work, report, cancellationToken);
        if (large is not null)
        {
            var largeCounter = Counter(_plan.Large.Database, await cluster.DatabaseOidAsync(_plan.Large.Database, cancellationToken));
            await RunWithServiceAsync(report, "pipeline_large", serviceDll, [], large, work, async service =>
                report.Runs["pipeline_large"] = await MeasureAsync("pipeline_large", large, service, cluster, largeCounter, _plan.Concurrency, null, _plan.RunSeconds, report, cancellationToken),
                cancellationToken);
        }

        if (lifecycle is { } seeded)
        {
            await MeasureLifecycleAsync(seeded, cluster, roleOid, work, report, cancellationToken);
        }

        if (options.Runs("pgbench"))
        {
            report.PgbenchStatements = await PgbenchAsync(Pgbench.Statements(_plan.Small.Applications), small, cluster, work, report, cancellationToken);
            report.PgbenchSingle = await PgbenchAsync(Pgbench.Single(_plan.Small.Applications), small, cluster, work, report, cancellationToken);
            if (options.Runs("pipeline_signals") && report.PgbenchStatements is { } withoutReceivers)
            {
                await MeasureOutboxWriteAsync(small, cluster, work, withoutReceivers, report, cancellationToken);
            }
        }

        if (options.Runs("micro"))
        {
            Say("bench: micro benchmarks (BenchmarkDotNet, in process)");
            var micro = await MicroBenchmarks.RunAsync(paths.MicroDll, options.Quick, work, cancellationToken);
            report.JwtValidateUs = micro.JwtValidateUs;
            report.RsaVerifyUs = micro.RsaVerifyUs;
            report.BodySha256Us = micro.BodySha256Us;
            report.DispatchUs = micro.DispatchUs;
            report.TokenSignUs = micro.TokenSignUs;
            report.RefreshTokenReadUs = micro.RefreshTokenReadUs;
            report.HandlerUs = micro.HandlerUs;
            if (micro is { HandlerUs: { } handler, DispatchUs: { } dispatch })
            {
                report.Notes.Add(Invariant($"micro: the handler alone (in-memory ports, no MediatR or validation) {handler:0.00} us; dispatch {dispatch:0.00} us"));
            }
            report.Errors.AddRange(micro.Errors);
        }
    }

    private async Task RunWithServiceAsync(
        BenchReport report, string name, string dll, string[] arguments, Dataset data, string work, Func<ServiceProcess, Task> measure,
        CancellationToken cancellationToken)
    {
        try
        {
            Say($"bench: starting {(arguments.Length == 0 ? "the service (dotnet Connect.Api.dll, production settings)" : "the hand-written baseline")} on {data.Shape.Database}");
            var settings = ServiceSettings(data);
            await using var service = await ServiceProcess.StartAsync(dll, arguments, settings, Path.Combine(work, $"{name}.log"), readyWithin: ReadyWithin, cancellationToken: cancellationToken);
            await measure(service);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Errors.Add($"{name}: {e.GetType().Name}: {e.Message}");
            Say($"bench: {name} failed: {e.Message}");
        }
    }

    private async Task CreateKeysAsync(CancellationToken cancellationToken)
    {
        // Applications share a pool of keys (generating 1000 RSA keys would take minutes); key ids are
        // thumbprints, so the service's key cache holds one entry per pool key, as it would per distinct key.
        var keys = await Task.WhenAll(Enumerable.Range(0, _plan.Keys).Select(_ => Task.Run(() =>
        {
            using var rsa = RSA.Create(2048);
            return (Private: rsa.ExportParameters(includePrivateParameters: true), Public: ClientPublicKey.FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo()));
        }, cancellationToken)));
        _signingKeys.AddRange(keys.Select(key => key.Private));
        _publicKeys.AddRange(keys.Select(key => key.Public));
    }

    private async Task<Dataset> SeedAsync(BenchCluster cluster, DataShape shape, bool rearmed, BenchReport report, CancellationToken cancellationToken)
    {
        await cluster.CreateDatabaseAsync(shape.Database, cancellationToken);
        Say($"bench: seeding {shape.Database}: {shape.Tokens:N0} refresh tokens, {shape.Accounts:N0} accounts, {shape.Applications:N0} applications, {shape.Pairs:N0} subjects (binary COPY)...");
        var took = await Seeder.SeedAsync(cluster.SuperuserConnectionString(shape.Database), shape, _publicKeys, _serviceSigningKeys!, cancellationToken);
        Say($"bench: seeded {shape.Database} in {took.TotalSeconds:0.0} s ({shape.Tokens / Math.Max(took.TotalSeconds, 0.001):N0} tokens/s, indexes and constraints rebuilt, vacuumed)");
        report.Notes.Add($"seeded {shape.Database} ({shape.Tokens:N0} tokens) in {took.TotalSeconds:0.0} s");
        var prewarmed = await cluster.PrewarmAsync(shape.Database, cancellationToken);
        report.Notes.Add(prewarmed is { } megabytes
            ? $"{shape.Database}: {megabytes:N0} MB of tables and indexes loaded into shared_buffers ({cluster.SharedBuffersMegabytes:N0} MB) with pg_prewarm"
            : $"{shape.Database}: not prewarmed (pg_prewarm is not available); shared_buffers {cluster.SharedBuffersMegabytes:N0} MB");
        return new Dataset(shape, rearmed, cluster.SuperuserConnectionString(shape.Database), cluster.ServiceConnectionString(shape.Database));
    }

    /// <summary>The revocation must reach its rows through the partial index sessions_active, also at 10M rows.</summary>
    private async Task CheckRevocationPlanAsync(Dataset large, BenchReport report, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(large.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        Guid sector, application;
        string subject;
        await using (var pick = new NpgsqlCommand("""
            SELECT ss.sector_id, ss.subject, s.application_id
              FROM sessions s JOIN sector_subjects ss ON ss.account_id = s.account_id
             WHERE s.revoked_at IS NULL LIMIT 1
            """, connection))
        await using (var row = await pick.ExecuteReaderAsync(cancellationToken))
        {
            await row.ReadAsync(cancellationToken);
            sector = row.GetGuid(0);
            subject = row.GetString(1);
            application = row.GetGuid(2);
        }

        var plan = new List<string>();
        await using (var explain = new NpgsqlCommand("EXPLAIN " + PostgresRefreshTokenRevoker.RevokeAllActiveSql, connection))
        {
            explain.Parameters.AddWithValue("Sector", sector);
            explain.Parameters.AddWithValue("Subject", subject);
            explain.Parameters.AddWithValue("Application", application);
            await using var rows = await explain.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                plan.Add(rows.GetString(0));
            }
        }

        var indexScan = plan.Any(line => line.Contains("Index Scan using sessions_active on sessions", StringComparison.Ordinal));
        var verdict = indexScan ? "ok: index scan on the partial index sessions_active" : "NOT an index scan on sessions_active";
        Say($"bench: revocation plan at {large.Shape.Tokens:N0} tokens: {verdict}");
        foreach (var line in plan)
        {
            Say($"         {line}");
        }

        report.Notes.Add($"revocation plan at {large.Shape.Tokens:N0} tokens (EXPLAIN): {verdict}: {string.Join(" / ", plan.Select(line => line.Trim()))}");
        if (!indexScan)
        {
            report.Errors.Add($"the revocation at {large.Shape.Tokens:N0} tokens is not planned as an index scan on sessions_active");
        }
    }

    /// <summary>A revoke-all run (the pipeline's, the hand-written endpoint's) on <paramref name="data"/>.</summary>
    private Task<RunReport?> MeasureAsync(
        string name, Dataset data, ServiceProcess service, BenchCluster cluster, StatementCounter? counter, int concurrency, double? rate,
        double seconds, BenchReport report, CancellationToken cancellationToken, Warmup warmup = Warmup.Full, RunAccumulator? pooled = null) =>
        MeasureAsync(name, RevokeAll(data), service, cluster, counter, concurrency, rate, seconds, report, cancellationToken, warmup, pooled);

    private RevokeAllWorkload RevokeAll(Dataset data) => new(
        data, _signingKeys, cancellationToken => RearmAsync(data, cancellationToken),
        (since, cancellationToken) => CountRevokedSinceAsync(data, since, cancellationToken));

    /// <param name="warmup">
    /// <see cref="Warmup.Full"/> the first time a server gets this workload; <see cref="Warmup.Round"/> for a later round on
    /// the same server.
    /// </param>
    /// <param name="pooled">Where a paired run's rounds are added up (docs/contract/bench.md's run object of the whole file).</param>
    private async Task<RunReport?> MeasureAsync(
        string name, Workload workload, ServiceProcess service, BenchCluster cluster, StatementCounter? counter, int concurrency, double? rate,
        double seconds, BenchReport report, CancellationToken cancellationToken, Warmup warmup = Warmup.Full, RunAccumulator? pooled = null)
    {
        var data = workload.Data;
        var model = rate is { } r ? Invariant($"open model at {r:0} requests/s ({concurrency} connections)") : $"closed loop, concurrency {concurrency}";
        Say($"bench: {name}: {model}, {seconds:0.#} s on {data.Shape.Database}");
        try
        {
            var run = new RunAccumulator();

            // Warm-up: one request per application first (the service keeps each application it read, as it
            // would after its first minutes in production), then JIT, tiering, connection pools. Not timed, not counted.
            if (data.Rearmed)
            {
                await workload.RearmAsync(cancellationToken);
            }

            if (warmup == Warmup.Full)
            {
                await SegmentAsync(data, service, cluster, counter, workload, concurrency, rate: null, 30, data.TakeOnePerApplication(), cancellationToken);
            }

            // Several batches when one (the small data set's 2,500 targets) is over before the warm-up time is.
            var warmupSeconds = warmup == Warmup.Full ? _plan.WarmupSeconds : _plan.RoundWarmupSeconds;
            var warmedUp = Stopwatch.StartNew();
            var estimate = 0.0;
            while (warmedUp.Elapsed.TotalSeconds < warmupSeconds && data.Available > 0)
            {
                var remaining = warmupSeconds - warmedUp.Elapsed.TotalSeconds;
                var batch = await SegmentAsync(data, service, cluster, counter, workload, concurrency, rate, remaining,
                    (int)Math.Ceiling((rate ?? 1500) * remaining), cancellationToken);
                estimate = batch.Result.Requests / Math.Max(batch.Result.Elapsed.TotalSeconds, 0.001);
                if (batch.Result.Requests == 0)
                {
                    break;
                }
            }

            DateTime? firstSince = null;
            var activityBefore = await BackgroundActivity.SnapshotAsync(data.SuperuserConnectionString, cancellationToken);
            while (run.Seconds < seconds * 0.98 && data.Available > 0)
            {
                var limit = Math.Min(seconds - run.Seconds, _plan.SegmentSeconds);
                var count = rate is { } fixedRate
                    ? (int)Math.Ceiling(fixedRate * limit)
                    : (int)Math.Ceiling(estimate * limit * 1.3) + concurrency;
                var segment = await SegmentAsync(data, service, cluster, counter, workload, concurrency, rate, limit, count, cancellationToken);
                firstSince ??= segment.Since;
                run.Add(segment);
                pooled?.Add(segment);
                estimate = segment.Result.Requests / Math.Max(segment.Result.Elapsed.TotalSeconds, 0.001);
                if (segment.Result.Requests == 0)
                {
                    break;
                }
            }

            var activity = await BackgroundActivity.SnapshotAsync(data.SuperuserConnectionString, cancellationToken);
            report.Notes.Add($"{name}: while measured: {activity.Since(activityBefore)}");
            if (!data.Rearmed && firstSince is { } since)
            {
                run.Revoked = await workload.ReadBackAsync(since, [], new SegmentResult(0), cancellationToken);
            }

            var result = run.ToReport(concurrency, rate, counter is not null);
            if (result.Revoked != result.ExpectedRevoked)
            {
                report.Errors.Add($"{name}: the database shows {result.Revoked} {workload.ReadBackName}, the answers counted {result.ExpectedRevoked}");
            }

            if (run.ExplicitTransactions > 0)
            {
                report.Notes.Add($"{name}: the service ran {run.ExplicitTransactions} explicit transaction statements; commits_per_request counts COMMITs");
            }

            Say(Invariant($"bench: {name}: {result.Requests} requests, {result.Errors} errors, {result.Rps:0} rps, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms"));
            foreach (var (kind, count) in result.ErrorKinds.OrderByDescending(pair => pair.Value))
            {
                Say($"bench: {name}: {count} x {kind}");
            }
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Errors.Add($"{name}: {e.GetType().Name}: {e.Message}");
            Say($"bench: {name} failed: {e.Message}");
            return null;
        }
    }

    private async Task<Segment> SegmentAsync(
        Dataset data, ServiceProcess service, BenchCluster cluster, StatementCounter? counter, Workload workload, int concurrency,
        double? rate, double limitSeconds, int count, CancellationToken cancellationToken)
    {
        if (data.Rearmed)
        {
            await workload.RearmAsync(cancellationToken);
        }

        return await SegmentAsync(data, service, cluster, counter, workload, concurrency, rate, limitSeconds, data.Take(Math.Max(1, count)), cancellationToken);
    }

    /// <summary>Sends <paramref name="pairs"/> (already dealt out, the data set already re-armed).</summary>
    private async Task<Segment> SegmentAsync(
        Dataset data, ServiceProcess service, BenchCluster cluster, StatementCounter? counter, Workload workload, int concurrency,
        double? rate, double limitSeconds, IReadOnlyList<int> pairs, CancellationToken cancellationToken)
    {
        var issuedAt = DateTimeOffset.UtcNow;
        var requests = workload.Prepare(pairs, service.Port);

        // Every client JWT of a batch must still be valid when it is sent: stop 5 s before the first one expires.
        var validFor = (workload.ValidForSeconds ?? double.MaxValue) - (DateTimeOffset.UtcNow - issuedAt).TotalSeconds;
        var limit = TimeSpan.FromSeconds(Math.Max(0.5, Math.Min(limitSeconds, validFor)));

        var connections = new List<RawHttpConnection>();
        try
        {
            for (var i = 0; i < concurrency; i++)
            {
                connections.Add(await RawHttpConnection.OpenAsync(service.Port, cancellationToken));
            }

            var since = await DatabaseClockAsync(data, cancellationToken);
            var statementsBefore = counter is null ? null : await counter.SnapshotAsync(cancellationToken);
            var postmaster = cluster.PostmasterPid();
            var serviceBefore = ProcessCpu.Of(service.Pid);
            var postgresBefore = ProcessCpu.OfPostgres(postmaster);

            SegmentResult result;
            if (rate is { } fixedRate)
            {
                var pool = Channel.CreateUnbounded<RawHttpConnection>();
                foreach (var connection in connections)
                {
                    pool.Writer.TryWrite(connection);
                }

                result = await LoadGenerator.RunOpenAsync(requests, pool, service.Port, fixedRate, limit, cancellationToken);
                connections.Clear();
                while (pool.Reader.TryRead(out var connection))
                {
                    connections.Add(connection);
                }
            }
            else
            {
                var workers = connections.ToArray();
                result = await LoadGenerator.RunClosedAsync(requests, workers, service.Port, limit, cancellationToken);
                connections.Clear();
                connections.AddRange(workers);
            }

            var serviceAfter = ProcessCpu.Of(service.Pid);
            var postgresAfter = ProcessCpu.OfPostgres(postmaster);
            var statements = counter is null ? null : StatementCounter.Delta(statementsBefore!, await counter.SnapshotAsync(cancellationToken));
            long? revoked = data.Rearmed ? await workload.ReadBackAsync(since, requests, result, cancellationToken) : null;
            return new Segment(
                result, requests, since, serviceAfter - serviceBefore, postgresAfter - postgresBefore, statements, revoked);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    private static async Task RearmAsync(Dataset data, CancellationToken cancellationToken)
    {
        await BenchCluster.ExecuteAsync(data.SuperuserConnectionString, "UPDATE sessions SET revoked_at = NULL, revoked_reason = NULL WHERE revoked_at IS NOT NULL", cancellationToken);
        await BenchCluster.ExecuteAsync(data.SuperuserConnectionString, "VACUUM sessions", cancellationToken);
    }

    private static Task<DateTime> DatabaseClockAsync(Dataset data, CancellationToken cancellationToken) =>
        BenchCluster.ScalarAsync<DateTime>(data.SuperuserConnectionString, "SELECT clock_timestamp()", cancellationToken);

    private static async Task<long> CountRevokedSinceAsync(Dataset data, DateTime since, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM sessions WHERE revoked_at >= @since", connection) { CommandTimeout = 0 };
        count.Parameters.AddWithValue("since", since);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The server-side execution time of the script's statements (those run once per transaction), from
    /// pg_stat_statements: tells a slow statement (its plan) from time spent elsewhere (client, locks, disk).
    /// </summary>
    private static async Task<string> ScriptStatementTimesAsync(BenchCluster cluster, long transactions, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(
            "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60), calls, mean_exec_time FROM pg_stat_statements "
            + "WHERE calls >= @transactions ORDER BY total_exec_time DESC LIMIT 4", connection);
        query.Parameters.AddWithValue("transactions", transactions);
        await using var rows = await query.ExecuteReaderAsync(cancellationToken);
        var parts = new List<string>();
        while (await rows.ReadAsync(cancellationToken))
        {
            parts.Add(Invariant($"{rows.GetDouble(2):0.000} ms mean over {rows.GetInt64(1)} calls of \"{rows.GetString(0)}...\""));
        }

        return parts.Count == 0 ? "no statement statistics" : "server execution " + string.Join("; ", parts);
    }

    /// <summary>The one revision every seeded application has (pgbench's scripts name it, as the service's cache does).</summary>
    private static async Task<long> SeededRevisionAsync(Dataset data, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("SELECT min(revision), max(revision) FROM applications", connection);
        await using var row = await query.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        var (lowest, highest) = (row.GetInt64(0), row.GetInt64(1));
        return lowest == highest
            ? lowest
            : throw new InvalidOperationException($"seeded applications have revisions {lowest}..{highest}; expected one");
    }

    private async Task<PgbenchReport?> PgbenchAsync(PgbenchScript script, Dataset data, BenchCluster cluster, string work, BenchReport report, CancellationToken cancellationToken)
    {
        Say($"bench: {script.Name}: pgbench, {_plan.Concurrency} clients, {_plan.PgbenchSeconds:0.#} s on {data.Shape.Database}");
        try
        {
            var file = Path.Combine(work, script.Name + ".sql");
            await File.WriteAllTextAsync(file, script.Text, cancellationToken);
            var password = new NpgsqlConnectionStringBuilder(data.SuperuserConnectionString).Password!;
            var revision = await SeededRevisionAsync(data, cancellationToken);
            if (cluster.HasStatementStatistics)
            {
                await BenchCluster.ExecuteAsync(cluster.AdminConnectionString, "SELECT pg_stat_statements_reset()", cancellationToken);
            }

            long transactions = 0, failed = 0, revoked = 0;
            var seconds = 0.0;
            var batches = 0;
            while (seconds < _plan.PgbenchSeconds && batches < 1000)
            {
                await RearmAsync(data, cancellationToken);
                var since = await DatabaseClockAsync(data, cancellationToken);
                var batch = await Pgbench.RunBatchAsync(
                    cluster.BinDirectory, password, cluster.Port, data.Shape.Database, file, _plan.Concurrency, data.Shape.Pairs,
                    revision, Random.Shared.Next(), cancellationToken);
                if (batch.Error is not null)
                {
                    throw new InvalidOperationException(batch.Error);
                }

                revoked += await CountRevokedSinceAsync(data, since, cancellationToken);
                transactions += batch.Transactions;
                failed += batch.Failed;
                seconds += batch.Transactions / batch.Tps;
                batches++;
            }

            var result = new PgbenchReport(transactions / seconds, script.Statements, transactions, failed, revoked);
            if (revoked < 2 * (transactions - failed))
            {
                report.Errors.Add($"{script.Name}: {transactions} transactions revoked only {revoked} tokens (each should revoke 2..6)");
            }

            Say(Invariant($"bench: {script.Name}: {result.Tps:0} tps over {transactions} transactions"));
            if (cluster.HasStatementStatistics)
            {
                report.Notes.Add($"{script.Name}: {await ScriptStatementTimesAsync(cluster, transactions, cancellationToken)}");
            }

            await BenchCluster.ExecuteAsync(data.SuperuserConnectionString, "TRUNCATE client_jwt_replays", cancellationToken);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Errors.Add($"{script.Name}: {e.Message}");
            Say($"bench: {script.Name} failed: {e.Message}");
            return null;
        }
    }

    private static async Task<MachineReport> MachineAsync(CancellationToken cancellationToken)
    {
        var cpu = "unknown";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = (await File.ReadAllLinesAsync("/proc/cpuinfo", cancellationToken))
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            cpu = line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? cpu;
        }

        var dotnet = RuntimeInformation.FrameworkDescription.Replace(".NET ", "", StringComparison.Ordinal);
        return new MachineReport(Environment.ProcessorCount, cpu, "unknown", dotnet);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private void Say(string line) => console.WriteLine(line);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
