using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Connect.Benchmarks.Load;

/// <summary>
/// Drives prepared requests at the server on 127.0.0.1. Both models stop by themselves: when the batch is used
/// up or the deadline passes, whichever comes first.
/// </summary>
internal static class LoadGenerator
{
    /// <summary>
    /// Closed loop: <paramref name="connections"/>.Length workers, each sending its next request as soon as its
    /// previous one is answered (fixed concurrency). Latency is from send to answer.
    /// </summary>
    public static async Task<SegmentResult> RunClosedAsync(
        IReadOnlyList<PreparedRequest> requests, RawHttpConnection[] connections, int port, TimeSpan limit, CancellationToken cancellationToken)
    {
        var result = new SegmentResult(requests.Count);
        var next = -1;
        result.StartedAt = Stopwatch.GetTimestamp();
        var deadline = result.StartedAt + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections.Length).Select(worker => Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= requests.Count || Stopwatch.GetTimestamp() >= deadline)
                {
                    return;
                }

                connections[worker] = await SendAsync(connections[worker], requests[index], index, Stopwatch.GetTimestamp(), port, result, cancellationToken);
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers);
        result.EndedAt = Stopwatch.GetTimestamp();
        return result;
    }

    /// <summary>
    /// Open model: request i is due at start + i / rate whatever happened to the others, and its latency counts
    /// from when it was due (so a stalled server cannot hide its queue: no coordinated omission). Requests wait
    /// for a free connection from <paramref name="pool"/> inside that latency.
    /// </summary>
    public static async Task<SegmentResult> RunOpenAsync(
        IReadOnlyList<PreparedRequest> requests, Channel<RawHttpConnection> pool, int port, double rate, TimeSpan limit,
        CancellationToken cancellationToken)
    {
        var result = new SegmentResult(requests.Count);
        var interval = Stopwatch.Frequency / rate;
        var inFlight = new List<Task>(requests.Count);
        result.StartedAt = Stopwatch.GetTimestamp();
        var deadline = result.StartedAt + (long)(limit.TotalSeconds * Stopwatch.Frequency);

        // The arrival clock runs on a thread of its own so that busy pool threads cannot delay it.
        var clock = new Thread(() =>
        {
            for (var i = 0; i < requests.Count && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = result.StartedAt + (long)(i * interval);
                if (due >= deadline)
                {
                    break;
                }

                WaitUntil(due);
                var index = i;
                lock (inFlight)
                {
                    inFlight.Add(Task.Run(async () =>
                    {
                        var connection = await pool.Reader.ReadAsync(cancellationToken);
                        connection = await SendAsync(connection, requests[index], index, due, port, result, cancellationToken);
                        await pool.Writer.WriteAsync(connection, cancellationToken);
                    }, cancellationToken));
                }
            }
        }) { IsBackground = true, Name = "open-model arrivals" };
        clock.Start();
        await Task.Run(clock.Join, cancellationToken);
        Task[] all;
        lock (inFlight)
        {
            all = [.. inFlight];
        }

        await Task.WhenAll(all);
        result.EndedAt = Stopwatch.GetTimestamp();
        return result;
    }

    private static async Task<RawHttpConnection> SendAsync(
        RawHttpConnection connection, PreparedRequest request, int index, long startedAt, int port, SegmentResult result,
        CancellationToken cancellationToken)
    {
        try
        {
            var answer = await connection.SendAsync(request.Bytes, request.Expected.Kind, cancellationToken);
            result.Record(index, Stopwatch.GetTimestamp() - startedAt, request, answer);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            result.RecordFailure(index, Stopwatch.GetTimestamp() - startedAt, e);
        }

        if (!connection.IsClosed)
        {
            return connection;
        }

        connection.Dispose();
        return await RawHttpConnection.OpenAsync(port, cancellationToken);
    }

    /// <summary>Sleeps in microseconds (Thread.Sleep rounds to milliseconds), spinning only for the last few.</summary>
    private static void WaitUntil(long due)
    {
        while (true)
        {
            var remaining = due - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            var microseconds = remaining * 1_000_000 / Stopwatch.Frequency;
            if (microseconds > 150)
            {
                _ = NativeMethods.usleep((uint)(microseconds - 100));
            }
            else
            {
                Thread.SpinWait(50);
            }
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int usleep(uint microseconds);
    }
}
