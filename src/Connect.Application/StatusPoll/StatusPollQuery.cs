namespace Connect.Application.StatusPoll;

/// <summary><c>POST /status-poll</c>: the hidden key is the credential; each poll counts toward the inquiry's limit.</summary>
public sealed record StatusPollQuery(string? ExposureKey, string? HiddenKey) : IRequest<Outcome<StatusPollResult>>;

/// <param name="ConfirmationKey">Once realized: the same key on every poll until redeemed; otherwise <c>null</c>.</param>
public sealed record StatusPollResult(string? ConfirmationKey)
{
    public bool Realized => ConfirmationKey is not null;
}
