namespace Connect.Load;

/// <summary>The drill's pacing: one request per tick at a steady rate, with a bound on how many are in flight.</summary>
public static class PacedRequests
{
    public const int MaxInFlight = 64;

    /// <summary>
    /// At each tick asks <paramref name="next"/> for one request to send (none: the tick passes) and sends it in the
    /// background; until <paramref name="stop"/> is cancelled, then waits for the requests still in flight.
    /// </summary>
    public static async Task RunAsync(int ratePerSecond, Func<Func<Task>?> next, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / ratePerSecond));
        using var slots = new SemaphoreSlim(MaxInFlight);
        var inFlight = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                // A saturated front must show up as slow answers, not as an ever-growing queue here.
                if (!await slots.WaitAsync(0, CancellationToken.None))
                {
                    continue;
                }

                if (next() is not { } send)
                {
                    slots.Release();
                    continue;
                }

                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await send();
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
                inFlight.RemoveAll(task => task.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await Task.WhenAll(inFlight);
    }
}
