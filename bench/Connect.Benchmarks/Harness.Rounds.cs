using System.Globalization;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Hosting;
using Connect.Benchmarks.Load;
using Connect.Benchmarks.Report;
using Connect.Benchmarks.Signals;
using Connect.Testing.Hosting;

namespace Connect.Benchmarks;

/// <summary>
/// The paired runs in rounds (docs/contract/bench.md version 3): the service and its hand-written twin run side by side as two
/// idle processes, and the load goes to one, then the other, <see cref="Plan.Rounds"/> times, the order swapped
/// every round (service first, twin first, service first) so that a machine that slows down or speeds up during a
/// round does not favour one side. Each round's ratio is computed from that round's two windows; the report's ratio
/// is the median of the rounds and <c>ratio_spread</c> their lowest and highest. Each server gets its full warm-up
/// the first time it meets a workload, and a short one (<see cref="Plan.RoundWarmupSeconds"/>) before a later round.
/// </summary>
internal sealed partial class Harness
{
    private static readonly string[] RevokeAllServiceParts = ["pipeline", "light_load", "open_model", "open_model_curve", "pipeline_signals", "signals_delivery"];
    private static readonly string[] RevokeAllTwinParts = ["handwritten", "handwritten_open_model", "open_model_curve"];

    /// <summary>The revoke-all pairs on the small data set: the closed loops, then the open model, the light load and the open-model curve.</summary>
    private async Task MeasureRevokeAllAsync(
        Dataset small, BenchCluster cluster, StatementCounter? counter, string work, BenchReport report, CancellationToken cancellationToken)
    {
        report.Rounds = Plan.Rounds;
        var serviceRuns = RevokeAllServiceParts.Any(options.Runs);
        var twinRuns = RevokeAllTwinParts.Any(options.Runs);
        if (!serviceRuns && !twinRuns)
        {
            return;
        }

        await WithServersAsync(report, "revoke_all", small, work, serviceRuns, twinRuns, async (service, twin) =>
        {
            var warmed = new HashSet<(ServiceProcess, string)>();
            Warmup WarmupFor(ServiceProcess server, string workload) => warmed.Add((server, workload)) ? Warmup.Full : Warmup.Round;

            // The signals' receiver, for as long as the servers run; receivers point at it only during the signals' windows.
            await using var receiver = service is not null && (options.Runs("pipeline_signals") || options.Runs("signals_delivery"))
                ? await LoopbackReceiver.StartAsync(cancellationToken)
                : null;

            // The closed loops, in rounds: the service, its twin and the service with receivers (pipeline_signals, paired
            // with pipeline), so that both pairs' ratios are taken within a round.
            var closed = await RoundsAsync(
                report,
                [
                    ("pipeline", options.Runs("pipeline") ? service : null), ("handwritten", options.Runs("handwritten") ? twin : null),
                    ("pipeline_signals", options.Runs("pipeline_signals") ? service : null),
                ],
                async (name, server, pooled) => name == "pipeline_signals"
                    ? await MeasureWithReceiversAsync(small, server, cluster, counter, receiver!, WarmupFor(server, "revoke_all_signals"), pooled, report, cancellationToken)
                    : await MeasureAsync(name, small, server, cluster, counter, _plan.Concurrency, null, _plan.PairSeconds, report, cancellationToken,
                        WarmupFor(server, "revoke_all"), pooled));
            var pipeline = report.Runs["pipeline"] = closed.GetValueOrDefault("pipeline")?.ToReport(_plan.Concurrency, null, counter is not null);
            var handwritten = report.Runs["handwritten"] = closed.GetValueOrDefault("handwritten")?.ToReport(_plan.Concurrency, null, counter is not null);
            report.Runs["pipeline_signals"] = closed.GetValueOrDefault("pipeline_signals")?.ToReport(_plan.Concurrency, null, counter is not null);

            if (service is not null && options.Runs("light_load"))
            {
                report.Runs["light_load"] = await MeasureAsync(
                    "light_load", small, service, cluster, counter, 1, null, _plan.LightSeconds, report, cancellationToken, WarmupFor(service, "revoke_all"));
            }

            if (service is not null && options.Runs("signals_delivery"))
            {
                report.SignalsDelivery = await MeasureSignalsDeliveryAsync(small, service, cluster, receiver!, report, cancellationToken);
            }

            // The open model at 70% of the service's rps on both sides (version 2's pair), in rounds too.
            var rate = OpenModelRate(report, pipeline, handwritten);
            if (rate is { } fixedRate && (options.Runs("open_model") || options.Runs("handwritten_open_model")))
            {
                var open = await RoundsAsync(
                    report, [("open_model", options.Runs("open_model") ? service : null), ("handwritten_open_model", options.Runs("handwritten_open_model") ? twin : null)],
                    async (name, server, pooled) => await MeasureAsync(
                        name, small, server, cluster, counter, _plan.OpenConnections, fixedRate, _plan.PairSeconds, report, cancellationToken,
                        WarmupFor(server, "revoke_all"), pooled));
                foreach (var (name, pooled) in open)
                {
                    report.Runs[name] = pooled.ToReport(_plan.OpenConnections, fixedRate, counter is not null);
                }
            }

            if (options.Runs("open_model_curve"))
            {
                await MeasureCurveAsync(small, cluster, counter, report, service, pipeline, twin, handwritten, WarmupFor, cancellationToken);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// The open model at 50%, 70% and 85% of each side's own closed-loop rps, one window each, so that a reader sees how
    /// p99 grows as a side nears its maximum. The service's 70% point is <c>open_model</c> itself (the same rate).
    /// </summary>
    private async Task MeasureCurveAsync(
        Dataset small, BenchCluster cluster, StatementCounter? counter, BenchReport report, ServiceProcess? service, RunReport? pipeline,
        ServiceProcess? twin, RunReport? handwritten, Func<ServiceProcess, string, Warmup> warmupFor, CancellationToken cancellationToken)
    {
        foreach (var (side, server, closed) in new[] { ("pipeline", service, pipeline), ("handwritten", twin, handwritten) })
        {
            if (server is null || closed is not { Rps: > 0 })
            {
                report.Errors.Add($"{ReportJson.CurveKey}.{side}: not run, there is no closed-loop rps of that side to take shares of");
                continue;
            }

            foreach (var share in BenchReport.CurveShares)
            {
                if (side == "pipeline" && share == 0.70 && report.Runs["open_model"] is { } openModel)
                {
                    report.OpenModelCurve.Add(new OpenModelPoint(side, share, openModel));
                    continue;
                }

                var name = string.Create(CultureInfo.InvariantCulture, $"{side}_open_{share * 100:0}");
                var run = await MeasureAsync(
                    name, small, server, cluster, counter, _plan.OpenConnections, closed.Rps * share, _plan.PairSeconds, report, cancellationToken,
                    warmupFor(server, "revoke_all"));
                report.OpenModelCurve.Add(new OpenModelPoint(side, share, run));
            }
        }
    }

    /// <summary>
    /// Version 2's rule: the open model at 70% of <c>pipeline</c>'s rps, and the hand-written endpoint at the same rate.
    /// Without a service run (<c>--only</c>), 70% of the hand-written endpoint's own, said in a note.
    /// </summary>
    private static double? OpenModelRate(BenchReport report, RunReport? pipeline, RunReport? handwritten)
    {
        if (pipeline is { Rps: > 0 })
        {
            return pipeline.Rps * 0.7;
        }

        if (handwritten is { Rps: > 0 })
        {
            report.Notes.Add("handwritten_open_model: no service closed loop was measured, so it ran at 70% of the hand-written endpoint's own rps");
            return handwritten.Rps * 0.7;
        }

        report.Errors.Add("open_model, handwritten_open_model: not run, the closed loops measured no rate to take 70% of");
        return null;
    }

    /// <summary>
    /// Runs each pair member that has a server, <see cref="Plan.Rounds"/> times, the order swapped every round; records
    /// each round in <paramref name="report"/> and returns each run's rounds added up.
    /// </summary>
    private static async Task<Dictionary<string, RunAccumulator>> RoundsAsync(
        BenchReport report, (string Name, ServiceProcess? Server)[] pair, Func<string, ServiceProcess, RunAccumulator, Task<RunReport?>> measure)
    {
        var pooled = new Dictionary<string, RunAccumulator>(StringComparer.Ordinal);
        for (var round = 0; round < Plan.Rounds; round++)
        {
            var order = round % 2 == 0 ? pair : [.. Enumerable.Reverse(pair)];
            foreach (var (name, server) in order)
            {
                if (server is null)
                {
                    continue;
                }

                if (!pooled.TryGetValue(name, out var total))
                {
                    pooled[name] = total = new RunAccumulator();
                }

                report.AddRound(name, round, await measure(name, server, total));
            }
        }

        return pooled;
    }

    /// <summary>
    /// The service (as shipped) and the hand-written baseline, both on <paramref name="data"/>, running side by side for
    /// the whole of <paramref name="measure"/>; either is null when not wanted or when it failed to start (said in the
    /// errors). Both are stopped afterwards, also on failure.
    /// </summary>
    private async Task WithServersAsync(
        BenchReport report, string name, Dataset data, string work, bool wantService, bool wantTwin,
        Func<ServiceProcess?, ServiceProcess?, Task> measure, CancellationToken cancellationToken)
    {
        ServiceProcess? service = null, twin = null;
        try
        {
            var settings = ServiceSettings(data);
            if (wantService)
            {
                service = await StartAsync(report, $"{name}_service", paths.ServiceDll, [], settings, data, work, cancellationToken);
            }

            if (wantTwin)
            {
                twin = await StartAsync(report, $"{name}_handwritten", paths.HarnessDll, [HandwrittenService.Command], settings, data, work, cancellationToken);
            }

            await measure(service, twin);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Errors.Add($"{name}: {e.GetType().Name}: {e.Message}");
            Say($"bench: {name} failed: {e.Message}");
        }
        finally
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }

            if (twin is not null)
            {
                await twin.DisposeAsync();
            }
        }
    }

    private async Task<ServiceProcess?> StartAsync(
        BenchReport report, string name, string dll, string[] arguments, Dictionary<string, string> settings, Dataset data, string work,
        CancellationToken cancellationToken)
    {
        try
        {
            Say($"bench: starting {(arguments.Length == 0 ? "the service (dotnet Connect.Api.dll, production settings)" : "the hand-written baseline")} on {data.Shape.Database}");
            return await ServiceProcess.StartAsync(dll, arguments, settings, Path.Combine(work, $"{name}.log"), readyWithin: ReadyWithin, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            report.Errors.Add($"{name}: did not start: {e.GetType().Name}: {e.Message}");
            Say($"bench: {name} did not start: {e.Message}");
            return null;
        }
    }
}
