namespace Connect.Benchmarks.Report;

/// <summary>One load run, in BENCH.md's terms.</summary>
internal sealed class RunReport
{
    public required int Concurrency { get; init; }

    public required double Seconds { get; init; }

    public required long Requests { get; init; }

    public required long Errors { get; init; }

    public required double Rps { get; init; }

    public required double P50Ms { get; init; }

    public required double P90Ms { get; init; }

    public required double P99Ms { get; init; }

    public required double MaxMs { get; init; }

    public required double? ServiceCpuUsPerRequest { get; init; }

    public required double? PostgresCpuUsPerRequest { get; init; }

    public required double? DbRoundTripsPerRequest { get; init; }

    public required double? CommitsPerRequest { get; init; }

    public required long Revoked { get; init; }

    /// <summary>Only for the open model: the fixed arrival rate it was driven at.</summary>
    public double? TargetRps { get; init; }

    // Printed, not part of BENCH.md's JSON.
    public long ExpectedRevoked { get; init; }

    public IReadOnlyDictionary<string, int> ErrorKinds { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, double> StatementsPerRequest { get; init; } = new Dictionary<string, double>();
}

internal sealed record PgbenchReport(double Tps, int Statements, long Transactions, long Failed, long Revoked);

internal sealed record MachineReport(int Cores, string Cpu, string Postgres, string Dotnet);

internal sealed class BenchReport
{
    public static readonly string[] RunNames =
        ["pipeline", "handwritten", "pipeline_large", "light_load", "open_model", "refresh", "handwritten_refresh", "introspect", "handwritten_introspect"];

    public required bool Quick { get; init; }

    /// <summary>The PostgreSQL version is filled in once the server answers.</summary>
    public required MachineReport Machine { get; set; }

    public Dictionary<string, RunReport?> Runs { get; } = RunNames.ToDictionary(name => name, _ => (RunReport?)null);

    /// <summary>
    /// The light-load and open-model runs repeated on the hand-written endpoint (at 70% of its own maximum): not
    /// a target and not in BENCH.md's JSON, but the measurement that says how much of open_p99_vs_light_p50 is
    /// the machine's queueing rather than the pipeline's.
    /// </summary>
    public static readonly string[] ReferenceRunNames = ["handwritten_light_load", "handwritten_open_model"];

    public Dictionary<string, RunReport?> ReferenceRuns { get; } = ReferenceRunNames.ToDictionary(name => name, _ => (RunReport?)null);

    public double? ReferenceOpenP99VsLightP50 =>
        Divide(ReferenceRuns["handwritten_open_model"]?.P99Ms, ReferenceRuns["handwritten_light_load"]?.P50Ms);

    public PgbenchReport? PgbenchStatements { get; set; }

    public PgbenchReport? PgbenchSingle { get; set; }

    public double? JwtValidateUs { get; set; }

    public double? RsaVerifyUs { get; set; }

    public double? BodySha256Us { get; set; }

    public double? DispatchUs { get; set; }

    /// <summary>The handler alone with in-memory ports: not in BENCH.md's JSON; dispatch minus this is MediatR and validation.</summary>
    public double? HandlerUs { get; set; }

    /// <summary>Problems found along the way; printed, and the reason a figure is null.</summary>
    public List<string> Errors { get; } = [];

    public List<string> Notes { get; } = [];

    public IReadOnlyList<Ratio> Ratios()
    {
        RunReport? Run(string name) => Runs[name];
        return
        [
            new("pipeline_vs_handwritten_rps", Divide(Run("pipeline")?.Rps, Run("handwritten")?.Rps), ">=", 0.90),
            new("pipeline_vs_handwritten_cpu", Divide(Run("pipeline")?.ServiceCpuUsPerRequest, Run("handwritten")?.ServiceCpuUsPerRequest), "<=", 1.10),
            new("pipeline_vs_pgbench_single", Divide(Run("pipeline")?.Rps, PgbenchSingle?.Tps), ">=", 0.75),
            new("large_vs_small_rps", Divide(Run("pipeline_large")?.Rps, Run("pipeline")?.Rps), ">=", 0.90),
            new("large_vs_small_p99", Divide(Run("pipeline_large")?.P99Ms, Run("pipeline")?.P99Ms), "<=", 1.20),
            new("open_p99_vs_light_p50", Divide(Run("open_model")?.P99Ms, Run("light_load")?.P50Ms), "<=", 4),
            new("jwt_vs_rsa_verify", Divide(JwtValidateUs, RsaVerifyUs), "<=", 1.6),
        ];
    }

    /// <summary>Null when either side is missing (or zero): never a made-up number.</summary>
    private static double? Divide(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 ? Math.Round(n / d, 3) : null;
}

internal sealed record Ratio(string Name, double? Value, string Comparison, double Target)
{
    public bool? Met => Value is not { } value ? null : Comparison == ">=" ? value >= Target : value <= Target;
}
