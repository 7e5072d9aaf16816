using System.Diagnostics;
using Connect.Benchmarks.Report;

namespace Connect.Benchmarks.Load;

/// <summary>One timed batch: what the load generator saw, and what the service and the database spent on it.</summary>
internal sealed record Segment(
    SegmentResult Result,
    IReadOnlyList<PreparedRequest> Requests,
    DateTime Since,
    double? ServiceCpuMicroseconds,
    double PostgresCpuMicroseconds,
    Dictionary<string, long>? Statements,
    long? Revoked);

/// <summary>Adds a run's timed batches up into docs/contract/bench.md's figures.</summary>
internal sealed class RunAccumulator
{
    private readonly List<long> _latencies = [];
    private readonly Dictionary<string, int> _errorKinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _statements = new(StringComparer.Ordinal);
    private double _elapsedSeconds;
    private long _requests;
    private long _errors;
    private long _expectedRevoked;
    private double? _serviceCpu = 0;
    private double _postgresCpu;

    public double Seconds => _elapsedSeconds;

    /// <summary>Read back from the database: per batch (re-armed data) or once for the run.</summary>
    public long Revoked { get; set; }

    public long ExplicitTransactions { get; private set; }

    public void Add(Segment segment)
    {
        var result = segment.Result;
        _elapsedSeconds += result.Elapsed.TotalSeconds;
        _requests += result.Requests;
        _errors += result.Errors;
        _expectedRevoked += result.ExpectedRevoked(segment.Requests);
        _latencies.AddRange(result.Latencies);
        foreach (var (kind, count) in result.ErrorKinds)
        {
            _errorKinds[kind] = _errorKinds.GetValueOrDefault(kind) + count;
        }

        _serviceCpu = _serviceCpu is { } total && segment.ServiceCpuMicroseconds is { } more ? total + more : null;
        _postgresCpu += segment.PostgresCpuMicroseconds;
        foreach (var (query, calls) in segment.Statements ?? [])
        {
            _statements[query] = _statements.GetValueOrDefault(query) + calls;
        }

        Revoked += segment.Revoked ?? 0;
    }

    /// <summary>
    /// Statements per request from pg_stat_statements (the service's role only). Round trips: every statement
    /// except <c>DISCARD ALL</c>, which Npgsql sends in front of the next statement on a connection taken from
    /// its pool, in the same round trip. Commits: the service runs no explicit transactions, so every statement
    /// (DISCARD ALL included) is a transaction of its own and commits; explicit ones are counted by their COMMIT.
    /// </summary>
    public RunReport ToReport(int concurrency, double? targetRps, bool hasStatements)
    {
        _latencies.Sort();
        var requests = Math.Max(_requests, 1);
        double Percentile(double q) =>
            _latencies.Count == 0 ? 0 : Milliseconds(_latencies[Math.Clamp((int)Math.Ceiling(q * _latencies.Count) - 1, 0, _latencies.Count - 1)]);

        long Calls(Func<string, bool> match) => _statements.Where(pair => match(pair.Key)).Sum(pair => pair.Value);
        var total = Calls(_ => true);
        var discards = Calls(query => query.Equals("DISCARD ALL", StringComparison.OrdinalIgnoreCase));
        ExplicitTransactions = Calls(query => query.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase)
            || query.StartsWith("START TRANSACTION", StringComparison.OrdinalIgnoreCase));
        var commits = ExplicitTransactions > 0
            ? Calls(query => query.StartsWith("COMMIT", StringComparison.OrdinalIgnoreCase))
            : total;

        return new RunReport
        {
            Concurrency = concurrency,
            Seconds = _elapsedSeconds,
            Requests = _requests,
            Errors = _errors,
            Rps = _elapsedSeconds > 0 ? _requests / _elapsedSeconds : 0,
            P50Ms = Percentile(0.50),
            P90Ms = Percentile(0.90),
            P99Ms = Percentile(0.99),
            MaxMs = _latencies.Count == 0 ? 0 : Milliseconds(_latencies[^1]),
            ServiceCpuUsPerRequest = _serviceCpu / requests,
            PostgresCpuUsPerRequest = _postgresCpu / requests,
            DbRoundTripsPerRequest = hasStatements ? (double)(total - discards) / requests : null,
            CommitsPerRequest = hasStatements ? (double)commits / requests : null,
            Revoked = Revoked,
            TargetRps = targetRps,
            ExpectedRevoked = _expectedRevoked,
            ErrorKinds = new Dictionary<string, int>(_errorKinds),
            StatementsPerRequest = _statements.ToDictionary(pair => pair.Key, pair => (double)pair.Value / requests),
        };
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
