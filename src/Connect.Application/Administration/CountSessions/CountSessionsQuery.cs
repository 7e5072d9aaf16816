namespace Connect.Application.Administration.CountSessions;

/// <summary>How many of one account's sessions for one application are active, revoked and expired.</summary>
public sealed record CountSessionsQuery(AccountId Account, string Anchor) : IRequest<AdministrationOutcome<SessionCounts>>;
