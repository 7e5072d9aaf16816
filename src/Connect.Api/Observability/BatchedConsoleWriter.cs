namespace Connect.Api.Observability;

/// <summary>
/// Writes formatted log lines to standard output and standard error from one background thread, a batch at a
/// time. The framework's console logger wakes its thread and makes one <c>write</c> call for every line, which
/// under load cost the service about 4% of its CPU per request for the access log alone; here the thread
/// sleeps <see cref="GatherTime"/> after the first line of a batch, so lines arriving meanwhile share one wake
/// and one write. Nothing is dropped: when <c>capacity</c> lines wait, writers wait (as the framework's logger
/// does by default), and disposing writes every line still queued.
/// </summary>
internal sealed class BatchedConsoleWriter : IDisposable
{
    /// <summary>How long a line may wait for others to join it; short against what anyone reads logs at.</summary>
    public static readonly TimeSpan GatherTime = TimeSpan.FromMilliseconds(20);

    private readonly Queue<(string Text, bool ToError)> _queue = new();
    private readonly Stream _output;
    private readonly Stream _error;
    private readonly int _capacity;
    private readonly TimeSpan _gatherTime;
    private readonly Thread _thread;
    private bool _writerWaiting;
    private bool _completed;

    public BatchedConsoleWriter(Stream output, Stream error, int capacity, TimeSpan gatherTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _output = output;
        _error = error;
        _capacity = capacity;
        _gatherTime = gatherTime;
        _thread = new Thread(WriteBatches) { IsBackground = true, Name = "Console log writer" };
        _thread.Start();
    }

    public void Enqueue(string text, bool toError)
    {
        lock (_queue)
        {
            while (_queue.Count >= _capacity && !_completed)
            {
                Monitor.Wait(_queue);
            }

            if (_completed)
            {
                // After shutdown began: written at once, in the caller's thread, rather than lost.
                Write([(text, toError)]);
                return;
            }

            _queue.Enqueue((text, toError));
            if (_writerWaiting)
            {
                Monitor.Pulse(_queue);
            }
        }
    }

    /// <summary>Writes whatever is still queued and stops the thread.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            Monitor.PulseAll(_queue);
        }

        _thread.Join();
    }

    private void WriteBatches()
    {
        var batch = new List<(string Text, bool ToError)>();
        while (true)
        {
            bool completed;
            lock (_queue)
            {
                while (_queue.Count == 0 && !_completed)
                {
                    _writerWaiting = true;
                    Monitor.Wait(_queue);
                    _writerWaiting = false;
                }

                completed = _completed;
                if (completed && _queue.Count == 0)
                {
                    return;
                }
            }

            if (!completed)
            {
                Thread.Sleep(_gatherTime);
            }

            lock (_queue)
            {
                batch.AddRange(_queue);
                _queue.Clear();
                Monitor.PulseAll(_queue); // writers waiting for room
            }

            Write(batch);
            batch.Clear();
        }
    }

    /// <summary>Each stream gets its lines in one write, in the order they were logged.</summary>
    private void Write(IReadOnlyList<(string Text, bool ToError)> lines)
    {
        var bytes = new ArrayBufferWriter<byte>();
        foreach (var toError in (ReadOnlySpan<bool>)[false, true])
        {
            foreach (var line in lines)
            {
                if (line.ToError == toError)
                {
                    Encoding.UTF8.GetBytes(line.Text, bytes);
                }
            }

            if (bytes.WrittenCount > 0)
            {
                var stream = toError ? _error : _output;
                try
                {
                    stream.Write(bytes.WrittenSpan);
                    stream.Flush();
                }
                catch (IOException)
                {
                    // A closed or full console must not take the service down; the framework's logger ignores it too.
                }

                bytes.ResetWrittenCount();
            }
        }
    }
}
