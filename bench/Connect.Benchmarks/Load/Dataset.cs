using Connect.Benchmarks.Data;

namespace Connect.Benchmarks.Load;

/// <summary>
/// Hands out targets (pairs; on the lifecycle data set, sessions) so that no two requests of a batch name the same
/// one. The small data set has fewer pairs than a run sends requests, so it is re-armed (every token made active
/// again, outside the timed window) before each batch and its pairs are dealt out afresh; the large one is dealt
/// out once, never reused.
/// </summary>
internal sealed class Dataset
{
    private readonly int[] _order;
    private int _next;

    /// <param name="targets">The targets to deal out; every pair when null.</param>
    public Dataset(DataShape shape, bool rearmed, string superuserConnectionString, string serviceConnectionString, IEnumerable<int>? targets = null)
    {
        Shape = shape;
        Rearmed = rearmed;
        SuperuserConnectionString = superuserConnectionString;
        ServiceConnectionString = serviceConnectionString;
        _order = (targets ?? Enumerable.Range(0, shape.Pairs)).ToArray();
        Random.Shared.Shuffle(_order);
    }

    /// <summary>The same data, dealing out only <paramref name="targets"/> (the refresh run's active sessions, say).</summary>
    /// <param name="repeatable">
    /// A read-only run's targets may recur within a batch (introspecting a session twice changes nothing), so a
    /// batch is as long as the run needs rather than as the data set is large.
    /// </param>
    public Dataset Only(IEnumerable<int> targets, bool repeatable = false) =>
        new(Shape, Rearmed, SuperuserConnectionString, ServiceConnectionString, targets) { Repeatable = repeatable };

    public bool Repeatable { get; private init; }

    public DataShape Shape { get; }

    public bool Rearmed { get; }

    public string SuperuserConnectionString { get; }

    public string ServiceConnectionString { get; }

    public int Available => Rearmed ? _order.Length : _order.Length - _next;

    /// <summary>One target for each application (the first of each in the dealing order), dealt out like <see cref="Take"/>.</summary>
    public IReadOnlyList<int> TakeOnePerApplication()
    {
        if (Rearmed)
        {
            Random.Shared.Shuffle(_order);
            _next = 0;
        }

        var covered = new bool[Shape.Applications];
        var taken = new List<int>(Shape.Applications);
        for (var i = _next; i < _order.Length && taken.Count < Shape.Applications; i++)
        {
            var application = Shape.ApplicationOf(_order[i]);
            if (!covered[application])
            {
                covered[application] = true;
                (_order[i], _order[_next]) = (_order[_next], _order[i]);
                taken.Add(_order[_next++]);
            }
        }

        return taken;
    }

    public IReadOnlyList<int> Take(int count)
    {
        if (Rearmed)
        {
            Random.Shared.Shuffle(_order);
            _next = 0;
        }

        if (Repeatable)
        {
            return [.. Enumerable.Range(0, count).Select(i => _order[i % _order.Length])];
        }

        count = Math.Min(count, _order.Length - _next);
        var taken = _order.AsSpan(_next, count).ToArray();
        _next += count;
        return taken;
    }
}
