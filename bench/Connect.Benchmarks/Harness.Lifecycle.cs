using Connect.Application.SigningKeys;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Hosting;
using Connect.Benchmarks.Load;
using Connect.Benchmarks.Report;
using Connect.Testing.Hosting;

namespace Connect.Benchmarks;

/// <summary>
/// The session lifecycle's runs (docs/contract/bench.md versions 2 and 3): <c>refresh</c>, <c>introspect</c> and <c>redeem</c> on
/// the service as shipped, and the same on the hand-written endpoints, in rounds (Harness.Rounds.cs). Their data set is a database of its own (<see cref="LifecycleData"/>),
/// so that revoke-all's data, its re-arming, its statement counts and pgbench's one-revision check stay exactly as
/// they were; the service therefore runs as a process of its own for these runs (one for all three, as the hand-written
/// baseline does), with the same warm-up rules as the pipeline.
/// </summary>
internal sealed partial class Harness
{
    private static readonly string[] LifecycleRuns =
        ["refresh", "handwritten_refresh", "introspect", "handwritten_introspect", "redeem", "handwritten_redeem"];

    /// <summary>The service's key-encryption key for this run: every data set's signing keys are sealed under it.</summary>
    private readonly string _keyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey();

    /// <summary>
    /// 8,000 sessions (1,200 with --quick) over the small data set's 1,000 applications: a refresh batch is at most
    /// the 6,000 active ones (about 10 s at the rates seen here) before it is re-armed, and each application gets a
    /// few requests a second, inside the production rate budget.
    /// </summary>
    private static DataShape LifecycleShape(bool quick) => new("connect_lifecycle", quick ? 48 : 320, 1000);

    /// <summary>What every server process is given, as an operator configures the service: its database, the key-encryption key, the issuer, loopback receivers allowed, the address budget raised.</summary>
    private Dictionary<string, string> ServiceSettings(Dataset data) => new()
    {
        ["ConnectionStrings__Connect"] = data.ServiceConnectionString,
        ["Connect__SigningKeys__KeyEncryptionKey"] = _keyEncryptionKey,
        ["Connect__SessionTokens__Issuer"] = LifecycleData.Issuer,
        // The harness is one address standing for many applications' back ends: at the default budget per client
        // address (600, 300 a second) the redeem run would measure that budget, not the endpoint.
        ["Connect__RateLimit__AddressBurstLimit"] = "1000000",
        ["Connect__RateLimit__AddressTokensPerSecond"] = "1000000",
        // The signals' receiver is the harness's loopback server (docs/contract/bench.md: "a loopback server").
        ["Connect__Signals__AllowLoopbackReceivers"] = "true",
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
            cluster.SuperuserConnectionString(shape.Database), shape, _serviceSigningKeys!, cancellationToken);
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

        report.Notes.Add("redeem runs: each request presents the three keys of a realized inquiry no other request of its batch names (200 with both "
            + "tokens expected); before each batch the sessions the last one began are deleted with their audit rows and the inquiries made redeemable again");

        // The three endpoints' pairs in rounds, on one service process and one hand-written process side by side.
        var workloads = new (string Service, string Twin, Func<Workload> Make)[]
        {
            ("refresh", "handwritten_refresh", () => new RefreshWorkload(data.Only(sessions.ActiveSessions), sessions)),
            ("introspect", "handwritten_introspect", () => new IntrospectWorkload(data.Only(sessions.AllSessions, repeatable: true), sessions)),
            ("redeem", "handwritten_redeem", () => new RedeemWorkload(data.Only(sessions.AllSessions), sessions)),
        };
        var wantService = workloads.Any(pair => options.Runs(pair.Service));
        var wantTwin = workloads.Any(pair => options.Runs(pair.Twin));
        await WithServersAsync(report, "lifecycle", data, work, wantService, wantTwin, async (service, twin) =>
        {
            var warmed = new HashSet<(ServiceProcess, string)>();
            foreach (var (serviceRun, twinRun, make) in workloads)
            {
                // One workload object per run, so that each keeps its own prepared requests (they name the server's port).
                var made = new Dictionary<string, Workload>(StringComparer.Ordinal);
                var pooled = await RoundsAsync(
                    report, [(serviceRun, options.Runs(serviceRun) ? service : null), (twinRun, options.Runs(twinRun) ? twin : null)],
                    async (name, server, total) =>
                    {
                        if (!made.TryGetValue(name, out var workload))
                        {
                            made[name] = workload = make();
                        }

                        return await MeasureAsync(
                            name, workload, server, cluster, counter, _plan.Concurrency, null, _plan.PairSeconds, report, cancellationToken,
                            warmed.Add((server, serviceRun)) ? Warmup.Full : Warmup.Round, total);
                    });
                foreach (var (name, total) in pooled)
                {
                    report.Runs[name] = total.ToReport(_plan.Concurrency, null, counter is not null);
                }
            }
        }, cancellationToken);
    }
}
