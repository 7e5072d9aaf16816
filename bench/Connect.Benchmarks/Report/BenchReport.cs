namespace Connect.Benchmarks.Report;

/// <summary>One load run, in docs/contract/bench.md's terms.</summary>
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

    // Printed, not part of docs/contract/bench.md's JSON.
    public long ExpectedRevoked { get; init; }

    public IReadOnlyDictionary<string, int> ErrorKinds { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, double> StatementsPerRequest { get; init; } = new Dictionary<string, double>();
}

internal sealed record PgbenchReport(double Tps, int Statements, long Transactions, long Failed, long Revoked);

internal sealed record MachineReport(int Cores, string Cpu, string Postgres, string Dotnet);

internal sealed class BenchReport
{
    /// <summary>docs/contract/bench.md's version of the JSON object this report writes.</summary>
    public const int Version = 2;

    /// <summary>docs/contract/bench.md's runs in its order (pgbench's two are not load runs and are kept apart).</summary>
    public static readonly string[] RunNames =
    [
        "pipeline", "handwritten", "pipeline_large", "light_load", "open_model", "handwritten_open_model",
        "refresh", "handwritten_refresh", "introspect", "handwritten_introspect",
    ];

    /// <summary>The runs driven at a fixed arrival rate, whose object also carries <c>target_rps</c>.</summary>
    public static readonly string[] OpenModelRunNames = ["open_model", "handwritten_open_model"];

    public required bool Quick { get; init; }

    /// <summary>Whether the measured runs had PostgreSQL's production durability settings (not <c>--fast-commits</c>).</summary>
    public required bool Durable { get; init; }

    /// <summary>The PostgreSQL version is filled in once the server answers.</summary>
    public required MachineReport Machine { get; set; }

    public Dictionary<string, RunReport?> Runs { get; } = RunNames.ToDictionary(name => name, _ => (RunReport?)null);

    public PgbenchReport? PgbenchStatements { get; set; }

    public PgbenchReport? PgbenchSingle { get; set; }

    public double? JwtValidateUs { get; set; }

    public double? RsaVerifyUs { get; set; }

    public double? BodySha256Us { get; set; }

    public double? DispatchUs { get; set; }

    /// <summary>One RS256 signature of a session token with the service's own key handling.</summary>
    public double? TokenSignUs { get; set; }

    /// <summary>Reading and verifying one refresh token.</summary>
    public double? RefreshTokenReadUs { get; set; }

    /// <summary>The handler alone with in-memory ports: not in docs/contract/bench.md's JSON; dispatch minus this is MediatR and validation.</summary>
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
            new("open_p99_vs_handwritten_open_p99", Divide(Run("open_model")?.P99Ms, Run("handwritten_open_model")?.P99Ms), "<=", 1.25),
            new("jwt_vs_rsa_verify", Divide(JwtValidateUs, RsaVerifyUs), "<=", 1.6),
            new("refresh_vs_handwritten_rps", Divide(Run("refresh")?.Rps, Run("handwritten_refresh")?.Rps), ">=", 0.90),
            new("introspect_vs_handwritten_rps", Divide(Run("introspect")?.Rps, Run("handwritten_introspect")?.Rps), ">=", 0.90),
            new("refresh_cpu_vs_signing", Divide(Run("refresh")?.ServiceCpuUsPerRequest, SigningFloorUs), "<=", 1.5),
        ];
    }

    /// <summary>
    /// What a rotation cannot avoid on the service's CPU: two tokens signed (the new refresh token and an access
    /// token) and the presented one verified (docs/contract/bench.md's <c>2 x token_sign_us + rsa_verify_us</c>).
    /// </summary>
    public double? SigningFloorUs => TokenSignUs is { } sign && RsaVerifyUs is { } verify ? 2 * sign + verify : null;

    /// <summary>Null when either side is missing (or zero): never a made-up number.</summary>
    private static double? Divide(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 ? Math.Round(n / d, 3) : null;
}

internal sealed record Ratio(string Name, double? Value, string Comparison, double Target)
{
    public bool? Met => Value is not { } value ? null : Comparison == ">=" ? value >= Target : value <= Target;
}
