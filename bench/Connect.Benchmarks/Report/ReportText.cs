using System.Globalization;
using System.Text;

namespace Connect.Benchmarks.Report;

/// <summary>The tables for a person.</summary>
internal static class ReportText
{
    public static string Render(BenchReport report)
    {
        var text = new StringBuilder();
        var m = report.Machine;
        text.AppendLine(Invariant($"machine: {m.Cores} cores, {m.Cpu}, PostgreSQL {m.Postgres}, .NET {m.Dotnet}{(report.Quick ? "  [--quick: short windows, small data: smoke figures, not for comparison]" : "")}"));
        text.AppendLine();
        text.AppendLine("run                     conc    secs  requests  errors      rps   p50 ms   p90 ms   p99 ms   max ms  svc us/req  pg us/req  stmts/req  commits/req  revoked");
        foreach (var name in BenchReport.RunNames)
        {
            Row(text, name, report.Runs[name]);
        }

        if (report.ReferenceRuns.Values.Any(run => run is not null))
        {
            text.AppendLine("reference, not a target: the same light load and open model on the hand-written endpoint");
            foreach (var name in BenchReport.ReferenceRunNames)
            {
                Row(text, name, report.ReferenceRuns[name]);
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
        text.AppendLine(Invariant($"micro (BenchmarkDotNet means): jwt_validate {Cell(report.JwtValidateUs, "0.0")} us, rsa_verify {Cell(report.RsaVerifyUs, "0.0")} us, body_sha256 {Cell(report.BodySha256Us, "0.00")} us, dispatch {Cell(report.DispatchUs, "0.00")} us (handler alone {Cell(report.HandlerUs, "0.00")} us)"));
        text.AppendLine();
        text.AppendLine("ratio                           value   target   met");
        foreach (var ratio in report.Ratios())
        {
            var met = ratio.Met switch { true => "yes", false => "NO", null => "-" };
            text.AppendLine(Invariant($"{ratio.Name,-30} {Cell(ratio.Value, "0.000"),6}   {ratio.Comparison} {ratio.Target:0.00}   {met}"));
        }

        if (report.ReferenceOpenP99VsLightP50 is { } reference)
        {
            text.AppendLine(Invariant($"{"(handwritten_open_p99_vs_light_p50)",-30} {reference,6:0.000}   reference for open_p99_vs_light_p50, not a target"));
        }

        var statements = report.Runs["pipeline"]?.StatementsPerRequest;
        if (statements is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine("statements per request (pipeline run, pg_stat_statements, service role only):");
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
