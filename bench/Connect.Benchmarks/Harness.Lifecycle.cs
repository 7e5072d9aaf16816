using Connect.Application.SigningKeys;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Hosting;
using Connect.Benchmarks.Load;
using Connect.Benchmarks.Report;

namespace Connect.Benchmarks;

/// <summary>
/// The session lifecycle's runs (docs/contract/bench.md version 2): <c>refresh</c> and <c>introspect</c> on the service as shipped,
/// and the same on the hand-written endpoints. Their data set is a database of its own (<see cref="LifecycleData"/>),
/// so that revoke-all's data, its re-arming, its statement counts and pgbench's one-revision check stay exactly as
/// they were; the service therefore runs as a process of its own for these runs (one for both, as the hand-written
/// baseline does), with the same warm-up rules as the pipeline.
/// </summary>
internal sealed partial class Harness
{
    private static readonly string[] LifecycleRuns = ["refresh", "handwritten_refresh", "introspect", "handwritten_introspect"];

    /// <summary>The service's key-encryption key for this run: the lifecycle's signing keys are sealed under it.</summary>
    private readonly string _keyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey();

    /// <summary>
    /// 8,000 sessions (1,200 with --quick) over the small data set's 1,000 applications: a refresh batch is at most
    /// the 6,000 active ones (about 10 s at the rates seen here) before it is re-armed, and each application gets a
    /// few requests a second, inside the production rate budget.
    /// </summary>
    private static DataShape LifecycleShape(bool quick) => new("connect_lifecycle", quick ? 48 : 320, 1000);

    /// <summary>What every server process is given, as an operator configures the service: its database, the key-encryption key, the issuer.</summary>
    private Dictionary<string, string> ServiceSettings(Dataset data) => new()
    {
        ["ConnectionStrings__Connect"] = data.ServiceConnectionString,
        ["Connect__SigningKeys__KeyEncryptionKey"] = _keyEncryptionKey,
        ["Connect__SessionTokens__Issuer"] = LifecycleData.Issuer,
    };

    private async Task<(Dataset Data, LifecycleData Sessions)?> SeedLifecycleAsync(BenchCluster cluster, BenchReport report, CancellationToken cancellationToken)
    {
        if (!LifecycleRuns.Any(options.Runs))
        {
            return null;
        }

        var shape = LifecycleShape(options.Quick);
        await cluster.CreateDatabaseAsync(shape.Database, cancellationToken);
        Say($"bench: seeding {shape.Database}: {shape.Pairs:N0} sessions with their signing keys, minting a refresh and an access token for each...");
        var (sessions, took) = await LifecycleData.SeedAsync(
            cluster.SuperuserConnectionString(shape.Database), shape, _keyEncryptionKey, _plan.Keys, cancellationToken);
        Say($"bench: seeded {shape.Database} in {took.TotalSeconds:0.0} s");
        report.Notes.Add($"seeded {shape.Database} ({shape.Pairs:N0} sessions, a quarter revoked, {shape.Applications:N0} applications sharing {_plan.Keys} signing keys, "
            + $"2 tokens minted per session) in {took.TotalSeconds:0.0} s");
        var prewarmed = await cluster.PrewarmAsync(shape.Database, cancellationToken);
        if (prewarmed is { } megabytes)
        {
            report.Notes.Add($"{shape.Database}: {megabytes:N0} MB loaded into shared_buffers with pg_prewarm");
        }

        return (new Dataset(shape, rearmed: true, cluster.SuperuserConnectionString(shape.Database), cluster.ServiceConnectionString(shape.Database)), sessions);
    }

    private async Task MeasureLifecycleAsync(
        (Dataset Data, LifecycleData Sessions) lifecycle, BenchCluster cluster, uint roleOid, string work, BenchReport report,
        CancellationToken cancellationToken)
    {
        var (data, sessions) = lifecycle;
        var counter = cluster.HasStatementStatistics
            ? new StatementCounter(cluster.AdminConnectionString, await cluster.DatabaseOidAsync(data.Shape.Database, cancellationToken), roleOid)
            : null;
        report.Notes.Add($"lifecycle runs: rate budget not raised either; the load is spread over {data.Shape.Applications} applications "
            + $"({data.Shape.Pairs:N0} sessions, a few requests per application per second)");
        report.Notes.Add("refresh runs: each request presents the version-1 refresh token of an active session no other request of its batch names "
            + "(200 with both tokens expected); the rotated sessions are restored to their seeded version, jti, rotated_at and key before the next batch");
        report.Notes.Add("introspect runs: each request presents the access token of a session no other request of its batch names, a quarter of them revoked; "
            + "the expected status is the seeded one, and revoked counts the answers whose status is the session's state read back from the database");

        foreach (var (name, arguments) in new[] { ("refresh", Array.Empty<string>()), ("handwritten", [HandwrittenService.Command]) })
        {
            var refreshRun = name == "refresh" ? "refresh" : "handwritten_refresh";
            var introspectRun = name == "refresh" ? "introspect" : "handwritten_introspect";
            if (!options.Runs(refreshRun) && !options.Runs(introspectRun))
            {
                continue;
            }

            var dll = arguments.Length == 0 ? paths.ServiceDll : paths.HarnessDll;
            await RunWithServiceAsync(report, $"{name}_lifecycle", dll, arguments, data, work, async service =>
            {
                if (options.Runs(refreshRun))
                {
                    report.Runs[refreshRun] = await MeasureAsync(
                        refreshRun, new RefreshWorkload(data.Only(sessions.ActiveSessions), sessions), service, cluster, counter,
                        _plan.Concurrency, null, _plan.RunSeconds, report, cancellationToken);
                }

                if (options.Runs(introspectRun))
                {
                    report.Runs[introspectRun] = await MeasureAsync(
                        introspectRun, new IntrospectWorkload(data.Only(sessions.AllSessions, repeatable: true), sessions), service, cluster, counter,
                        _plan.Concurrency, null, _plan.RunSeconds, report, cancellationToken);
                }
            }, cancellationToken);
        }
    }
}
