using System.Collections.Concurrent;
using System.Diagnostics;

namespace Connect.Benchmarks.Load;

/// <summary>
/// What one timed stretch of load produced. Every request that was sent is either answered as expected or an
/// error, and every error is kept by kind: a run never hides one.
/// </summary>
internal sealed class SegmentResult
{
    private readonly long[] _latencies;
    private readonly byte[] _outcomes;
    private readonly int?[] _values;

    public SegmentResult(int capacity)
    {
        _latencies = new long[capacity];
        _outcomes = new byte[capacity];
        _values = new int?[capacity];
    }

    public long StartedAt { get; set; }

    public long EndedAt { get; set; }

    public ConcurrentDictionary<string, int> ErrorKinds { get; } = new(StringComparer.Ordinal);

    public void Record(int index, long latencyTicks, PreparedRequest request, HttpAnswer answer)
    {
        _latencies[index] = latencyTicks;
        if (answer.Status == 200)
        {
            _values[index] = answer.Value;
        }

        if (answer.Status == 200 && answer.Value == request.Expected.Value)
        {
            _outcomes[index] = Answered;
            return;
        }

        _outcomes[index] = Failed;
        var kind = answer.Status == 200
            ? request.Expected.DescribeMismatch(answer.Value)
            : $"{answer.Status} {answer.Reason ?? "(no reason)"}";
        ErrorKinds.AddOrUpdate(kind, 1, (_, count) => count + 1);
    }

    public void RecordFailure(int index, long latencyTicks, Exception exception)
    {
        _latencies[index] = latencyTicks;
        _outcomes[index] = Failed;
        ErrorKinds.AddOrUpdate($"no answer: {exception.GetType().Name}: {exception.Message}", 1, (_, count) => count + 1);
    }

    public int Requests => _outcomes.Count(outcome => outcome != NotSent);

    public int Errors => _outcomes.Count(outcome => outcome == Failed);

    /// <summary>The work (<see cref="Expectation.Work"/>) of the requests that were answered as expected.</summary>
    public long ExpectedRevoked(IReadOnlyList<PreparedRequest> requests) =>
        Enumerable.Range(0, _outcomes.Length).Where(i => _outcomes[i] == Answered).Sum(i => (long)requests[i].Expected.Work);

    /// <summary>What the 200 to request <paramref name="index"/> read as (its <see cref="AnswerKind"/>), or null when it got no 200.</summary>
    public int? ValueOf(int index) => _values[index];

    public IEnumerable<long> Latencies => Enumerable.Range(0, _outcomes.Length).Where(i => _outcomes[i] != NotSent).Select(i => _latencies[i]);

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartedAt, EndedAt);

    private const byte NotSent = 0;
    private const byte Answered = 1;
    private const byte Failed = 2;
}
