using Connect.Benchmarks;
using Connect.Benchmarks.Report;

namespace Connect.Benchmarks.Tests.Report;

/// <summary>Reports built from chosen figures, so that what the harness derives from them can be checked exactly.</summary>
internal static class SampleReports
{
    public static RunReport Run(double rps, double serviceCpuUs = 100, double p99Ms = 10, double? targetRps = null) => new()
    {
        Concurrency = 16,
        Seconds = 20,
        Requests = (long)(rps * 20),
        Errors = 0,
        Rps = rps,
        P50Ms = p99Ms / 2,
        P90Ms = p99Ms * 0.8,
        P99Ms = p99Ms,
        MaxMs = p99Ms * 2,
        ServiceCpuUsPerRequest = serviceCpuUs,
        PostgresCpuUsPerRequest = 300,
        DbRoundTripsPerRequest = 3,
        CommitsPerRequest = 3,
        Revoked = (long)(rps * 20),
        TargetRps = targetRps,
    };

    /// <summary>Every run and figure of version 3 present (a run still pending, if any, absent, as the harness writes it).</summary>
    public static BenchReport Complete()
    {
        var report = new BenchReport { Quick = true, Durable = true, Machine = new(2, "cpu", "15.18", "10.0.1"), Rounds = Plan.Rounds };
        foreach (var name in BenchReport.RunNames.Where(name => !BenchReport.PendingRuns.ContainsKey(name)))
        {
            var openModel = BenchReport.OpenModelRunNames.Contains(name);
            report.Runs[name] = Run(1000, targetRps: openModel ? 700 : null);
        }

        foreach (var (service, twin) in BenchReport.Pairs.Where(pair => !BenchReport.PendingRuns.ContainsKey(pair.Service)))
        {
            var twinMeasured = report.RoundRuns.ContainsKey(twin);
            for (var round = 0; round < Plan.Rounds; round++)
            {
                var openModel = BenchReport.OpenModelRunNames.Contains(service);
                report.AddRound(service, round, Run(900 + (10 * round), 150, targetRps: openModel ? 700 : null));
                // pipeline is both a service (with handwritten) and a twin (of pipeline_signals): its rounds are added once.
                if (!twinMeasured)
                {
                    report.AddRound(twin, round, Run(1000, 100, targetRps: openModel ? 700 : null));
                }
            }
        }

        report.PgbenchStatements = new PgbenchReport(1400, 3, 1000, 0, 4000);
        report.PgbenchSingle = new PgbenchReport(1700, 1, 1000, 0, 4000);
        report.JwtValidateUs = 32;
        report.RsaVerifyUs = 29;
        report.BodySha256Us = 0.8;
        report.DispatchUs = 0.7;
        report.TokenSignUs = 500;
        report.RefreshTokenReadUs = 31;
        report.SignalsDelivery = new SignalsDeliveryReport(900, 3.2, 281.3, 120.5, 240.2);
        report.OpenModelCurve.Add(new OpenModelPoint("pipeline", 0.5, Run(500, targetRps: 500)));
        report.OpenModelCurve.Add(new OpenModelPoint("handwritten", 0.5, Run(550, targetRps: 550)));
        return report;
    }

    /// <summary>The report as its JSON file, in a temporary folder removed with the returned object.</summary>
    public static TemporaryFile Written(BenchReport report)
    {
        var file = new TemporaryFile();
        using (var stream = File.Create(file.Path))
        {
            ReportJson.Write(report, stream);
        }

        return file;
    }
}

internal sealed class TemporaryFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(Path);
}
