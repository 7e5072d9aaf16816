namespace Connect.Application.Administration.ShowSignalsStatus;

/// <summary>What every receiver is still owed (<c>signals status</c>).</summary>
public sealed record ShowSignalsStatusQuery : IRequest<AdministrationOutcome<SignalsStatus>>;

/// <param name="OldestPendingSeconds">Whole seconds since the oldest pending signal was committed (or requeued); 0 when
/// none is pending.</param>
public sealed record SignalsStatus(int Pending, long OldestPendingSeconds, int DeadLetters, IReadOnlyList<ReceiverSignalsStatus> Receivers);

/// <summary>One receiver's part: <see cref="SignalReceiverStatus"/> with its age on the clock.</summary>
public sealed record ReceiverSignalsStatus(SignalReceiverStatus Receiver, long OldestPendingSeconds);
