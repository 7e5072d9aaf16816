namespace Connect.Application.Administration.RetryDeadLetters;

/// <summary>Send a receiver's dead letters again (<c>signals retry</c>): they go back to pending, due now.</summary>
public sealed record RetryDeadLettersCommand(ReceiverId Receiver) : IRequest<AdministrationOutcome<RetryDeadLettersResult>>;

public sealed record RetryDeadLettersResult(ReceiverId Receiver, int Requeued);
