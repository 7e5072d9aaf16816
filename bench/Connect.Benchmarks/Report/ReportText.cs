using System.Globalization;
using System.Text;

namespace Connect.Benchmarks.Report;

/// <summary>The tables for a person.</summary>
internal static class ReportText
{
    private static readonly string[] StatementRuns = ["pipeline", "refresh", "introspect", "redeem"];

    public static string Render(BenchReport report)
    {
        var text = new StringBuilder();
        var m = report.Machine;
        text.AppendLine(Invariant($"machine: {m.Cores} cores, {m.Cpu}, PostgreSQL {m.Postgres}, .NET {m.Dotnet}{(report.Quick ? "  [--quick: short windows, small data: smoke figures, not for comparison]" : "")}"));
        text.AppendLine(report.Durable
            ? "database: durable (fsync, synchronous_commit, full_page_writes on): every writing commit waits for its WAL flush"
            : "database: --fast-commits (fsync, synchronous_commit, full_page_writes off): commits do not wait for the disk");
        text.AppendLine();
        text.AppendLine("run                     conc    secs  requests  errors      rps   p50 ms   p90 ms   p99 ms   max ms  svc us/req  pg us/req  stmts/req  commits/req  revoked");
        foreach (var name in BenchReport.RunNames)
        {
            if (report.Runs[name] is null && BenchReport.PendingRuns.TryGetValue(name, out var pending))
            {
                text.AppendLine($"{name,-22}  ({pending})");
                continue;
            }

            Row(text, name, report.Runs[name]);
        }

        text.AppendLine(report.SignalsDelivery is { } delivery
            ? Invariant($"signals_delivery: {delivery.Delivered} delivered in {delivery.Seconds:0.0} s ({delivery.PerSecond:0.0}/s), commit to delivery p50 {delivery.CommitToDeliveryP50Ms:0.00} ms, p99 {delivery.CommitToDeliveryP99Ms:0.00} ms")
            : $"signals_delivery        ({BenchReport.PendingRuns.GetValueOrDefault("signals_delivery", "not measured: see errors below")})");

        if (report.RoundRuns.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"the paired runs round by round ({report.Rounds} rounds, the order swapped every round; the table above adds the rounds up):"));
            foreach (var (name, rounds) in report.RoundRuns)
            {
                var cells = rounds.Select(run => run is null
                    ? "not measured"
                    : Invariant($"{run.Rps,8:0.0} rps, p99 {run.P99Ms,7:0.00} ms, {Cell(run.ServiceCpuUsPerRequest, "0"),5} us"));
                text.AppendLine($"  {name,-24} {string.Join("  |  ", cells)}");
            }
        }

        if (report.OpenModelCurve.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("open model at shares of each side's own closed-loop rps:");
            foreach (var point in report.OpenModelCurve)
            {
                text.AppendLine(point.Run is { } run
                    ? Invariant($"  {point.Side,-12} {point.Share * 100,3:0}% @{run.TargetRps,7:0}/s: {run.Rps,8:0.0} rps, p50 {run.P50Ms,7:0.00} ms, p90 {run.P90Ms,7:0.00} ms, p99 {run.P99Ms,8:0.00} ms, max {run.MaxMs,8:0.00} ms, {run.Errors} errors")
                    : Invariant($"  {point.Side,-12} {point.Share * 100,3:0}%: not measured (see errors below)"));
            }
        }

        text.AppendLine();
        foreach (var (name, pgbench) in new[] { ("pgbench_statements", report.PgbenchStatements), ("pgbench_single", report.PgbenchSingle) })
        {
            text.AppendLine(pgbench is null
                ? $"{name}: not measured (see errors below)"
                : Invariant($"{name,-19} {pgbench.Tps,9:0.0} tps  ({pgbench.Statements} statement(s) a transaction, {pgbench.Transactions} transactions, {pgbench.Failed} failed, {pgbench.Revoked} tokens revoked = {(pgbench.Transactions > 0 ? (double)pgbench.Revoked / pgbench.Transactions : 0):0.00} a transaction)"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"micro (BenchmarkDotNet means): jwt_validate {Cell(report.JwtValidateUs, "0.0")} us, rsa_verify {Cell(report.RsaVerifyUs, "0.0")} us, body_sha256 {Cell(report.BodySha256Us, "0.00")} us, dispatch {Cell(report.DispatchUs, "0.00")} us (handler alone {Cell(report.HandlerUs, "0.00")} us), token_sign {Cell(report.TokenSignUs, "0.0")} us, refresh_token_read {Cell(report.RefreshTokenReadUs, "0.0")} us"));
        text.AppendLine();
        text.AppendLine("ratio (median of the rounds)        value   target   met   spread (min..max)   rounds");
        foreach (var ratio in report.Ratios())
        {
            var met = ratio.Met switch { true => "yes", false => "NO ", null => "-  " };
            var spread = ratio.Spread is { } range ? Invariant($"{range.Min:0.000}..{range.Max:0.000}") : "";
            var rounds = string.Join(" ", ratio.Rounds.Select(value => Cell(value, "0.000")));
            text.AppendLine(Invariant($"{ratio.Name,-33} {Cell(ratio.Value, "0.000"),7}   {ratio.Comparison} {ratio.Target:0.00}   {met}   {spread,-18}  {rounds}"));
        }

        text.AppendLine("framework_tax_us (service CPU per request minus the twin's, within a round; median): "
            + string.Join(", ", report.FrameworkTaxUs().Select(tax => $"{tax.Key} {Cell(tax.Value, "0.0")}")));

        if (report.SignalsCostUs() is { Service: { } signalService, Postgres: { } signalPostgres, CpuBoundRatio: { } cpuBound })
        {
            text.AppendLine(Invariant($"signals' cost per revoke-all (pipeline_signals minus pipeline, within a round; median): service CPU +{signalService:0} us, ")
                + Invariant($"PostgreSQL CPU +{signalPostgres:0} us (one RS256 signature, token_sign, is {Cell(report.TokenSignUs, "0")} us of it); ")
                + Invariant($"with the CPU as the limit, pipeline_signals / pipeline can reach about {cpuBound:0.00}"));
        }

        if (report.SigningFloorUs is { } floor)
        {
            text.AppendLine(Invariant($"(refresh_cpu_vs_signing divides refresh's service CPU per request by 2 x token_sign + rsa_verify = {floor:0.0} us)"));
        }

        foreach (var name in StatementRuns)
        {
            var statements = report.Runs[name]?.StatementsPerRequest;
            if (statements is not { Count: > 0 })
            {
                continue;
            }

            text.AppendLine();
            text.AppendLine($"statements per request ({name} run, pg_stat_statements, service role only):");
            foreach (var (query, perRequest) in statements.OrderByDescending(pair => pair.Value))
            {
                text.AppendLine(Invariant($"  {perRequest,6:0.000}  {(query.Length > 110 ? query[..110] + "..." : query)}"));
            }
        }

        var runErrors = report.Runs.Where(pair => pair.Value is { Errors: > 0 }).ToList();
        if (runErrors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("errors by kind:");
            foreach (var (name, run) in runErrors)
            {
                foreach (var (kind, count) in run!.ErrorKinds.OrderByDescending(pair => pair.Value))
                {
                    text.AppendLine(Invariant($"  {name}: {count} x {kind}"));
                }
            }
        }

        if (report.Notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in report.Notes)
            {
                text.AppendLine($"note: {note}");
            }
        }

        if (report.Errors.Count > 0)
        {
            text.AppendLine();
            foreach (var error in report.Errors)
            {
                text.AppendLine($"error: {error}");
            }
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, RunReport? run)
    {
        if (run is null)
        {
            text.AppendLine(Invariant($"{name,-22}  (not measured: see errors below)"));
            return;
        }

        var label = run.TargetRps is { } target ? Invariant($"{name} @{target:0}/s") : name;
        text.AppendLine(Invariant(
            $"{label,-22} {run.Concurrency,5} {run.Seconds,7:0.0} {run.Requests,9} {run.Errors,7} {run.Rps,8:0.0} {run.P50Ms,8:0.00} {run.P90Ms,8:0.00} {run.P99Ms,8:0.00} {run.MaxMs,8:0.00} {Cell(run.ServiceCpuUsPerRequest, "0"),11} {Cell(run.PostgresCpuUsPerRequest, "0"),10} {Cell(run.DbRoundTripsPerRequest, "0.00"),10} {Cell(run.CommitsPerRequest, "0.00"),12} {run.Revoked,8}"));
    }

    private static string Cell(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "null";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
