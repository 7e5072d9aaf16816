using Connect.Benchmarks.Data;

namespace Connect.Benchmarks.Load;

/// <summary>
/// Hands out targets (pairs) so that no two requests of a batch name the same one. The small data set has
/// fewer pairs than a run sends requests, so it is re-armed (every token made active again, outside the timed
/// window) before each batch and its pairs are dealt out afresh; the large one is dealt out once, never reused.
/// </summary>
internal sealed class Dataset
{
    private readonly int[] _order;
    private int _next;

    public Dataset(DataShape shape, bool rearmed, string superuserConnectionString, string serviceConnectionString)
    {
        Shape = shape;
        Rearmed = rearmed;
        SuperuserConnectionString = superuserConnectionString;
        ServiceConnectionString = serviceConnectionString;
        _order = Enumerable.Range(0, shape.Pairs).ToArray();
        Random.Shared.Shuffle(_order);
    }

    public DataShape Shape { get; }

    public bool Rearmed { get; }

    public string SuperuserConnectionString { get; }

    public string ServiceConnectionString { get; }

    public int Available => Rearmed ? Shape.Pairs : Shape.Pairs - _next;

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

        count = Math.Min(count, Shape.Pairs - _next);
        var taken = _order.AsSpan(_next, count).ToArray();
        _next += count;
        return taken;
    }
}
