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
