namespace Connect.Infrastructure.Signals;

/// <summary>
/// The delivery worker every service instance runs (docs/contract/signals.md "Delivery"). One loop claims due signals
/// while slots are free and starts each attempt on its own, so the loop never waits for a send; at most
/// <see cref="SignalOptions.MaxConcurrentDeliveries"/> attempts are in flight, and at most
/// <see cref="SignalOptions.MaxInFlightPerReceiver"/> to one receiver, so a slow receiver holds only its own share.
/// On stopping it claims nothing more, gives the attempts in flight a short grace to finish, abandons
/// the rest and releases their claims for any instance. A database outage is logged once and waited out.
/// </summary>
public sealed partial class SignalDeliveryWorker(
    ISignalOutbox outbox,
    SignalDeliverer deliverer,
    SignalMetrics metrics,
    IOptions<SignalOptions> options,
    TimeProvider clock,
    ILogger<SignalDeliveryWorker> logger,
    PostgresOutages? outages = null) : BackgroundService
{
    /// <summary>How often the backlog gauges are read again.</summary>
    internal static readonly TimeSpan BacklogPeriod = TimeSpan.FromSeconds(5);

    /// <summary>How long a stopping worker waits for attempts in flight before abandoning and releasing them.</summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan MaxOutageBackoff = TimeSpan.FromSeconds(30);

    private readonly SignalOptions _settings = options.Value;
    private readonly ConcurrentDictionary<long, DueSignal> _held = new();
    private readonly ConcurrentDictionary<ReceiverId, int> _perReceiver = new();
    private readonly ConcurrentDictionary<Task, byte> _attempts = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    /// <summary>This worker's name in <c>leased_by</c>: unique per worker, so that two in one process never share a claim.</summary>
    public string Instance { get; } = NewInstanceName();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(Instance);
        var lease = TimeSpan.FromSeconds(_settings.LeaseSeconds);
        var poll = TimeSpan.FromMilliseconds(_settings.PollMilliseconds);
        var outageBackoff = poll;
        var inOutage = false;
        long? lastBacklog = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var claimed = 0;
                try
                {
                    if (lastBacklog is not { } last || clock.GetElapsedTime(last) >= BacklogPeriod)
                    {
                        lastBacklog = clock.GetTimestamp();
                        metrics.Backlog(await outbox.MeasureBacklogAsync(stoppingToken));
                    }

                    var free = _settings.MaxConcurrentDeliveries - _held.Count;
                    if (free > 0)
                    {
                        var due = await outbox.ClaimDueAsync(
                            Instance, free, lease, _perReceiver, _settings.MaxInFlightPerReceiver, stoppingToken);
                        foreach (var signal in due)
                        {
                            Start(signal);
                        }

                        claimed = due.Count;
                    }

                    if (inOutage)
                    {
                        LogDatabaseBack();
                        inOutage = false;
                        outageBackoff = poll;
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Logged once per outage, not on every poll; the claims already made carry on.
                    if (!inOutage)
                    {
                        LogClaimFailed(exception);
                        inOutage = true;
                    }

                    outages?.ForgetIdleConnectionsAfter(exception);
                    await Task.Delay(outageBackoff, clock, stoppingToken);
                    outageBackoff = TimeSpan.FromTicks(Math.Min(outageBackoff.Ticks * 2, MaxOutageBackoff.Ticks));
                    continue;
                }

                // A full batch may leave more due: claim again at once while slots are free; otherwise wait for the
                // next poll or for an attempt to end (which frees a slot, and perhaps a receiver's share).
                if (claimed == 0 || _held.Count >= _settings.MaxConcurrentDeliveries)
                {
                    await _wake.WaitAsync(poll, stoppingToken);

                    // Several attempts may have ended meanwhile: one claim serves them all.
                    while (_wake.Wait(0, CancellationToken.None))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await StopDeliveringAsync();
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    private void Start(DueSignal signal)
    {
        _held[signal.Lease.SignalId] = signal;
        _perReceiver.AddOrUpdate(signal.Receiver, 1, (_, count) => count + 1);
        var attempt = Task.Run(() => AttemptAsync(signal));
        _attempts.TryAdd(attempt, 0);
        attempt.ContinueWith(
            (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _),
            _attempts, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task AttemptAsync(DueSignal signal)
    {
        var finished = false;
        try
        {
            // Once the receiver has answered, the outcome is written even while stopping: bounded by the command timeout.
            await deliverer.DeliverAsync(signal, _abandon.Token, CancellationToken.None);
            finished = true;
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            // Abandoned at shutdown: released below, so another instance need not wait out the lease.
        }
        catch (Exception exception)
        {
            // The outcome could not be written (an outage): the lease runs out and the signal is sent again.
            finished = true;
            LogAttemptFailed(exception, signal.Lease.SignalId, signal.Receiver.Value, signal.Attempt);
        }
        finally
        {
            if (finished)
            {
                _held.TryRemove(signal.Lease.SignalId, out _);
            }

            _perReceiver.AddOrUpdate(signal.Receiver, 0, (_, count) => count - 1);
            if (_perReceiver.TryGetValue(signal.Receiver, out var left) && left <= 0)
            {
                _perReceiver.TryRemove(new KeyValuePair<ReceiverId, int>(signal.Receiver, left));
            }

            _wake.Release();
        }
    }

    private async Task StopDeliveringAsync()
    {
        var inFlight = _attempts.Keys.ToArray();
        if (inFlight.Length > 0)
        {
            // A short grace, well inside the host's shutdown timeout; what is still waiting for an answer is then
            // abandoned and released, so another instance sends it at once rather than after the lease.
            try
            {
                await Task.WhenAll(inFlight).WaitAsync(StopGrace, clock);
            }
            catch (TimeoutException)
            {
            }

            await _abandon.CancelAsync();
            await Task.WhenAll(_attempts.Keys.ToArray());
        }

        var unfinished = _held.Values.Select(signal => signal.Lease).ToArray();
        if (unfinished.Length == 0)
        {
            return;
        }

        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5), clock);
            var released = await outbox.ReleaseAsync(unfinished, bound.Token);
            LogReleased(released, Instance);
        }
        catch (Exception exception)
        {
            // Not released: their leases run out and any instance sends them then.
            LogReleaseFailed(exception, unfinished.Length);
        }
    }

    private static string NewInstanceName()
    {
        var machine = Environment.MachineName;
        machine = machine.Length > 64 ? machine[..64] : machine;
        return $"{machine}/{Environment.ProcessId}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signal delivery worker {Instance} started")]
    private partial void LogStarted(string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming due signals failed; delivery waits for the database and tries again")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claiming due signals works again")]
    private partial void LogDatabaseBack();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signal {SignalId} to receiver {ReceiverId}, attempt {Attempt}: its outcome was not recorded; it is sent again after its lease")]
    private partial void LogAttemptFailed(Exception exception, long signalId, Guid receiverId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Count} unfinished signals of worker {Instance} for any instance")]
    private partial void LogReleased(int count, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing {Count} unfinished signals failed; they are sent again after their leases")]
    private partial void LogReleaseFailed(Exception exception, int count);
}
