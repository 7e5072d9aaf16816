namespace Connect.Application.Signals;

/// <summary>
/// An application's signal receivers and what they are still owed, for the operator's commands
/// (docs/contract/signals.md "Receivers"). Each change is audited by the statement that makes it.
/// </summary>
public interface ISignalReceiverRegistry
{
    /// <summary>
    /// Adds a receiver to the application and audits <c>receiver_added</c> in the same statement, unless it already has
    /// <paramref name="maxPerApplication"/> receivers.
    /// </summary>
    Task<ReceiverAddition> AddAsync(
        ApplicationAnchor anchor, string url, SignalFormat format, string audience, int maxPerApplication,
        CancellationToken cancellationToken);

    /// <summary>The application's receivers, oldest first, with how many signals each is owed.</summary>
    /// <returns><c>null</c> when no application has the anchor.</returns>
    Task<IReadOnlyList<SignalReceiverSummary>?> ListAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the application's receiver with every signal it was still owed (pending or dead), and audits
    /// <c>receiver_removed</c> with their number, in one transaction.
    /// </summary>
    Task<ReceiverRemoval> RemoveAsync(ApplicationAnchor anchor, ReceiverId receiver, CancellationToken cancellationToken);

    /// <summary>Every receiver of every application, by anchor, with its pending and dead signals.</summary>
    Task<IReadOnlyList<SignalReceiverStatus>> StatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts the receiver's dead letters back to pending, due now; their dead-letter deadline starts again from now
    /// (docs/decisions.md, "Signal receivers").
    /// </summary>
    /// <returns>How many; <c>null</c> when no receiver has the id.</returns>
    Task<int?> RequeueDeadLettersAsync(ReceiverId receiver, CancellationToken cancellationToken);
}

/// <summary>What adding a receiver did.</summary>
public sealed record ReceiverAddition(ReceiverAdditionOutcome Outcome, ReceiverId Receiver = default);

public enum ReceiverAdditionOutcome
{
    Added,

    /// <summary>Nothing: no application has the anchor.</summary>
    UnknownAnchor,

    /// <summary>Nothing: the application already has the most receivers allowed.</summary>
    TooManyReceivers,
}

/// <summary>What removing a receiver did.</summary>
/// <param name="SignalsDropped">How many pending or dead signals went with it.</param>
public sealed record ReceiverRemoval(ReceiverRemovalOutcome Outcome, int SignalsDropped = 0);

public enum ReceiverRemovalOutcome
{
    Removed,

    /// <summary>Nothing: no application has the anchor.</summary>
    UnknownAnchor,

    /// <summary>Nothing: the application has no receiver with the id (another application's receiver included).</summary>
    UnknownReceiver,
}

/// <summary>One receiver as <c>app receiver list</c> shows it.</summary>
public sealed record SignalReceiverSummary(
    ReceiverId Id, string Url, SignalFormat Format, string Audience, int Pending, int DeadLetters);

/// <summary>One receiver as <c>signals status</c> shows it.</summary>
/// <param name="OldestPendingCommittedAt">When its oldest pending signal was committed (or requeued); <c>null</c> when none is pending.</param>
/// <param name="LastOutcome">The last attempt's outcome of its newest signal that failed at least once ("status 503",
/// "timeout"); never a token. <c>null</c> when none has failed.</param>
public sealed record SignalReceiverStatus(
    ApplicationAnchor Anchor,
    ReceiverId Id,
    string Url,
    SignalFormat Format,
    int Pending,
    int DeadLetters,
    DateTimeOffset? OldestPendingCommittedAt,
    string? LastOutcome);
