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

/// <summary>docs/contract/bench.md's <c>signals_delivery</c>: what the loopback receiver accepted, and how long after the revocation's commit.</summary>
internal sealed record SignalsDeliveryReport(long Delivered, double Seconds, double PerSecond, double CommitToDeliveryP50Ms, double CommitToDeliveryP99Ms);

/// <summary>One point of a side's open-model curve: a fixed arrival rate at <paramref name="Share"/> of that side's own closed-loop rps.</summary>
internal sealed record OpenModelPoint(string Side, double Share, RunReport? Run);

internal sealed class BenchReport
{
    /// <summary>docs/contract/bench.md's version of the JSON object this report writes.</summary>
    public const int Version = 3;

    /// <summary>docs/contract/bench.md's runs in its order (pgbench's two and signals_delivery have shapes of their own and are kept apart).</summary>
    public static readonly string[] RunNames =
    [
        "pipeline", "handwritten", "pipeline_large", "light_load", "open_model", "handwritten_open_model",
        "refresh", "handwritten_refresh", "introspect", "handwritten_introspect",
        "redeem", "handwritten_redeem", "pipeline_signals",
    ];

    /// <summary>The runs driven at a fixed arrival rate, whose object also carries <c>target_rps</c>.</summary>
    public static readonly string[] OpenModelRunNames = ["open_model", "handwritten_open_model"];

    /// <summary>
    /// Version 3's runs this service cannot be measured on yet, with the reason: they are written as <c>null</c> (never a
    /// made-up figure), printed as not measured, and <c>--check</c> accepts <c>null</c> for these only. Empty: the
    /// signals runs, the last ones pending, are driven by Harness.Signals.cs.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> PendingRuns = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The paired runs: a service run and the run it is compared with, measured in turn in every round
    /// (docs/contract/bench.md version 3's <c>rounds</c>).
    /// </summary>
    public static readonly (string Service, string Twin)[] Pairs =
    [
        ("pipeline", "handwritten"), ("open_model", "handwritten_open_model"), ("refresh", "handwritten_refresh"),
        ("introspect", "handwritten_introspect"), ("redeem", "handwritten_redeem"), ("pipeline_signals", "pipeline"),
    ];

    /// <summary><c>framework_tax_us</c>'s keys and the pair each is taken from.</summary>
    public static readonly (string Key, string Service, string Twin)[] TaxPairs =
    [
        ("revoke_all", "pipeline", "handwritten"), ("refresh", "refresh", "handwritten_refresh"),
        ("introspect", "introspect", "handwritten_introspect"), ("redeem", "redeem", "handwritten_redeem"),
    ];

    /// <summary>The open-model curve's loads, as shares of each side's own closed-loop rps (0.70 is the service's <c>open_model</c>).</summary>
    public static readonly double[] CurveShares = [0.50, 0.70, 0.85];

    public required bool Quick { get; init; }

    /// <summary>Whether the measured runs had PostgreSQL's production durability settings (not <c>--fast-commits</c>).</summary>
    public required bool Durable { get; init; }

    /// <summary>The PostgreSQL version is filled in once the server answers.</summary>
    public required MachineReport Machine { get; set; }

    /// <summary>Every run's figures over all its rounds together (each round's batches pooled).</summary>
    public Dictionary<string, RunReport?> Runs { get; } = RunNames.ToDictionary(name => name, _ => (RunReport?)null);

    /// <summary>The paired runs round by round (index = round); a run missing here is the same in every round (<see cref="Runs"/>).</summary>
    public Dictionary<string, List<RunReport?>> RoundRuns { get; } = new(StringComparer.Ordinal);

    /// <summary>How many rounds the paired runs alternated in.</summary>
    public int Rounds { get; set; }

    public SignalsDeliveryReport? SignalsDelivery { get; set; }

    public List<OpenModelPoint> OpenModelCurve { get; } = [];

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

    /// <summary>Records one round of a paired run (round by round, in order).</summary>
    public void AddRound(string name, int round, RunReport? run)
    {
        if (!RoundRuns.TryGetValue(name, out var rounds))
        {
            RoundRuns[name] = rounds = [];
        }

        while (rounds.Count <= round)
        {
            rounds.Add(null);
        }

        rounds[round] = run;
    }

    /// <summary>
    /// Version 2's ratios and version 3's, each the median over the rounds of the ratio computed within one round (a
    /// run measured once, such as <c>pipeline_large</c> or a micro benchmark, is the same figure in every round).
    /// </summary>
    public IReadOnlyList<Ratio> Ratios()
    {
        var tax = FrameworkTaxUs();
        var taxes = tax.Values.ToList();
        double? maxTax = taxes.Count > 0 && taxes.All(value => value is not null) ? taxes.Max() : null;
        return
        [
            PerRound("pipeline_vs_handwritten_rps", r => Divide(Run("pipeline", r)?.Rps, Run("handwritten", r)?.Rps), ">=", 0.90, paired: true),
            PerRound("pipeline_vs_handwritten_cpu", r => Divide(Run("pipeline", r)?.ServiceCpuUsPerRequest, Run("handwritten", r)?.ServiceCpuUsPerRequest), "<=", 1.10, paired: true),
            PerRound("pipeline_vs_pgbench_single", r => Divide(Run("pipeline", r)?.Rps, PgbenchSingle?.Tps), ">=", 0.75),
            PerRound("large_vs_small_rps", r => Divide(Run("pipeline_large", r)?.Rps, Run("pipeline", r)?.Rps), ">=", 0.90),
            PerRound("large_vs_small_p99", r => Divide(Run("pipeline_large", r)?.P99Ms, Run("pipeline", r)?.P99Ms), "<=", 1.20),
            PerRound("open_p99_vs_handwritten_open_p99", r => Divide(Run("open_model", r)?.P99Ms, Run("handwritten_open_model", r)?.P99Ms), "<=", 1.25, paired: true),
            new("jwt_vs_rsa_verify", Divide(JwtValidateUs, RsaVerifyUs), "<=", 1.6, [], Paired: false),
            PerRound("refresh_vs_handwritten_rps", r => Divide(Run("refresh", r)?.Rps, Run("handwritten_refresh", r)?.Rps), ">=", 0.90, paired: true),
            PerRound("introspect_vs_handwritten_rps", r => Divide(Run("introspect", r)?.Rps, Run("handwritten_introspect", r)?.Rps), ">=", 0.90, paired: true),
            PerRound("refresh_cpu_vs_signing", r => Divide(Run("refresh", r)?.ServiceCpuUsPerRequest, SigningFloorUs), "<=", 1.5),
            PerRound("redeem_vs_handwritten_rps", r => Divide(Run("redeem", r)?.Rps, Run("handwritten_redeem", r)?.Rps), ">=", 0.90, paired: true),
            PerRound("signals_vs_pipeline_rps", r => Divide(Run("pipeline_signals", r)?.Rps, Run("pipeline", r)?.Rps), ">=", 0.90, paired: true),
            new("framework_tax_max_us", maxTax is { } max ? Math.Round(max, 1) : null, "<=", 50, [], Paired: false),
        ];
    }

    /// <summary>
    /// docs/contract/bench.md's <c>framework_tax_us</c>: the service's CPU per request minus its twin's, within each round,
    /// the median over the rounds; null when a side is missing.
    /// </summary>
    public IReadOnlyDictionary<string, double?> FrameworkTaxUs() => TaxPairs.ToDictionary(
        pair => pair.Key,
        pair => Median(Enumerable.Range(0, Math.Max(Rounds, 1)).Select(r =>
            Run(pair.Service, r)?.ServiceCpuUsPerRequest is { } service && Run(pair.Twin, r)?.ServiceCpuUsPerRequest is { } twin
                ? service - twin
                : (double?)null), digits: 1));

    /// <summary>
    /// What one signal adds to a revoke-all: <c>pipeline_signals</c>' CPU per request minus <c>pipeline</c>'s within each
    /// round (the median), on the service (the outbox row, the worker's claim, signing, sending, recording) and on
    /// PostgreSQL; and the rate ratio those figures allow when the machine's CPU is what limits both runs,
    /// <c>pipeline</c>'s CPU per request over the sum of both (the load generator's and the receiver's share left out).
    /// </summary>
    public (double? Service, double? Postgres, double? CpuBoundRatio) SignalsCostUs()
    {
        var rounds = Enumerable.Range(0, Math.Max(Rounds, 1)).Select(r => (Signals: Run("pipeline_signals", r), Pipeline: Run("pipeline", r))).ToList();
        var service = Median(rounds.Select(r => r.Signals?.ServiceCpuUsPerRequest - r.Pipeline?.ServiceCpuUsPerRequest), digits: 1);
        var postgres = Median(rounds.Select(r => r.Signals?.PostgresCpuUsPerRequest - r.Pipeline?.PostgresCpuUsPerRequest), digits: 1);
        var bound = Median(rounds.Select(r =>
            r.Pipeline?.ServiceCpuUsPerRequest + r.Pipeline?.PostgresCpuUsPerRequest is { } pipeline
            && r.Signals?.ServiceCpuUsPerRequest + r.Signals?.PostgresCpuUsPerRequest is { } signals && signals > 0
                ? pipeline / signals
                : (double?)null), digits: 3);
        return (service, postgres, bound);
    }

    /// <summary>
    /// What a rotation cannot avoid on the service's CPU: two tokens signed (the new refresh token and an access
    /// token) and the presented one verified (docs/contract/bench.md's <c>2 x token_sign_us + rsa_verify_us</c>).
    /// </summary>
    public double? SigningFloorUs => TokenSignUs is { } sign && RsaVerifyUs is { } verify ? 2 * sign + verify : null;

    /// <summary>Run <paramref name="name"/> in round <paramref name="round"/>; a run not measured in rounds is its one measurement.</summary>
    public RunReport? Run(string name, int round) =>
        RoundRuns.TryGetValue(name, out var rounds) ? (round < rounds.Count ? rounds[round] : null) : Runs.GetValueOrDefault(name);

    private Ratio PerRound(string name, Func<int, double?> inRound, string comparison, double target, bool paired = false)
    {
        var values = Enumerable.Range(0, Math.Max(Rounds, 1)).Select(inRound).ToList();
        return new Ratio(name, Median(values, digits: 3), comparison, target, values, paired);
    }

    /// <summary>The median of the values present (the mean of the middle two when they are even in number); null when none is.</summary>
    public static double? Median(IEnumerable<double?> values, int digits)
    {
        var present = values.Where(value => value is { } v && double.IsFinite(v)).Select(value => value!.Value).Order().ToList();
        if (present.Count == 0)
        {
            return null;
        }

        var middle = present.Count / 2;
        var median = present.Count % 2 == 1 ? present[middle] : (present[middle - 1] + present[middle]) / 2;
        return Math.Round(median, digits);
    }

    /// <summary>Null when either side is missing (or zero): never a made-up number.</summary>
    private static double? Divide(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 ? Math.Round(n / d, 3) : null;
}

/// <param name="Rounds">The ratio within each round (empty for one that does not depend on the rounds: the micro benchmarks', the largest tax).</param>
/// <param name="Paired">Whether it compares the two sides of a pair measured in turn, round by round (docs/contract/bench.md's <c>ratio_spread</c>).</param>
internal sealed record Ratio(string Name, double? Value, string Comparison, double Target, IReadOnlyList<double?> Rounds, bool Paired)
{
    public bool? Met => Value is not { } value ? null : Comparison == ">=" ? value >= Target : value <= Target;

    /// <summary>The lowest and highest round's ratio; null when no round has one.</summary>
    public (double Min, double Max)? Spread =>
        Rounds.Where(value => value is not null).Select(value => value!.Value).ToList() is { Count: > 0 } present
            ? (present.Min(), present.Max())
            : null;
}
