namespace Connect.Application.Signals;

/// <summary>
/// One attempt at one claimed signal: a fresh token under the application's current signing key, one send, the
/// policy's verdict, and that verdict written back under the claim's fence, counted and logged. A log line names
/// the signal, its receiver, the host, the attempt and the outcome: never the token or the URL's path and query.
/// </summary>
public sealed class SignalDeliverer(
    ICurrentSigningKey signingKeys,
    SignalTokenMinter minter,
    ISignalSender sender,
    SignalDeliveryPolicy policy,
    ISignalOutbox outbox,
    SignalMetrics metrics,
    ILogger<SignalDeliverer> logger)
{
    private static readonly Action<ILogger, long, Guid, string, int, string, Exception?> DeliveredLog =
        LoggerMessage.Define<long, Guid, string, int, string>(
            LogLevel.Debug, new EventId(1, "SignalDelivered"),
            "Signal {SignalId} delivered to receiver {ReceiverId} at {Host}, attempt {Attempt}: {Outcome}");

    private static readonly Action<ILogger, long, Guid, string, int, string, DateTimeOffset, Exception?> RetryLog =
        LoggerMessage.Define<long, Guid, string, int, string, DateTimeOffset>(
            LogLevel.Information, new EventId(2, "SignalRetry"),
            "Signal {SignalId} to receiver {ReceiverId} at {Host}, attempt {Attempt}: {Outcome}; next attempt at {NextAttemptAt}");

    private static readonly Action<ILogger, long, Guid, string, int, string, Exception?> DeadLetterLog =
        LoggerMessage.Define<long, Guid, string, int, string>(
            LogLevel.Warning, new EventId(3, "SignalDeadLettered"),
            "Signal {SignalId} to receiver {ReceiverId} at {Host}, attempt {Attempt}: {Outcome}; dead-lettered until signals retry");

    private static readonly Action<ILogger, long, Guid, int, Exception?> LateLog =
        LoggerMessage.Define<long, Guid, int>(
            LogLevel.Information, new EventId(4, "SignalLeaseLost"),
            "Signal {SignalId} to receiver {ReceiverId}, attempt {Attempt}: answered after its lease ran out; the newer claim decides");

    /// <param name="sending">Cancelled when the instance stops waiting for attempts in flight: the attempt is then
    /// abandoned (an <see cref="OperationCanceledException"/>) and the caller releases the claim.</param>
    /// <param name="recording">Bounds the write of the outcome, once the receiver has answered.</param>
    public async Task<DeliveryVerdict> DeliverAsync(DueSignal signal, CancellationToken sending, CancellationToken recording)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var attempt = await AttemptAsync(signal, sending).ConfigureAwait(false);
        var verdict = policy.Judge(signal, attempt);
        var host = HostOf(signal.Url);
        var receiver = signal.Receiver.Value;
        var id = signal.Lease.SignalId;
        switch (verdict)
        {
            case DeliveryVerdict.Delivered delivered:
                metrics.Attempted(SignalMetrics.Delivered);
                if (await outbox.RecordDeliveredAsync(signal.Lease, recording).ConfigureAwait(false) is { } sinceCommit)
                {
                    metrics.DeliveredAfter(sinceCommit);
                    DeliveredLog(logger, id, receiver, host, signal.Attempt, delivered.Outcome, null);
                    return verdict;
                }

                break;
            case DeliveryVerdict.Retry retry:
                metrics.Attempted(SignalMetrics.Retry);
                if (await outbox.RecordRetryAsync(signal.Lease, retry.At, retry.Outcome, recording).ConfigureAwait(false))
                {
                    RetryLog(logger, id, receiver, host, signal.Attempt, retry.Outcome, retry.At, null);
                    return verdict;
                }

                break;
            case DeliveryVerdict.DeadLetter dead:
                metrics.Attempted(SignalMetrics.DeadLettered);
                if (await outbox.RecordDeadLetterAsync(signal.Lease, dead.Outcome, recording).ConfigureAwait(false))
                {
                    DeadLetterLog(logger, id, receiver, host, signal.Attempt, dead.Outcome, null);
                    return verdict;
                }

                break;
        }

        LateLog(logger, id, receiver, signal.Attempt, null);
        return verdict;
    }

    private async Task<DeliveryAttempt> AttemptAsync(DueSignal signal, CancellationToken sending)
    {
        string token;
        try
        {
            var key = await signingKeys.GetCurrentSigningKeyAsync(signal.Application, minter.LatestExpiry, sending).ConfigureAwait(false);
            if (key is null)
            {
                return new DeliveryAttempt.Refused("application not found");
            }

            token = minter.Mint(signal, key);
        }
        catch (SigningKeysUnavailableException)
        {
            return new DeliveryAttempt.NotSigned("signing key unavailable");
        }

        return await sender.SendAsync(signal.Url, signal.Format, token, sending).ConfigureAwait(false);
    }

    /// <summary>The URL's host alone, for logs: the path and query may carry a receiver's secrets.</summary>
    internal static string HostOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.IdnHost : "(unparseable url)";
}
