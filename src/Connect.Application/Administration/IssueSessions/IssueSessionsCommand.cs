namespace Connect.Application.Administration.IssueSessions;

/// <summary>
/// Issue <paramref name="Count"/> sessions of one account for one application (docs/contract/sessions.md "Issuing a session"):
/// the account's subject in the application's sector is created when missing, and each session is answered with its
/// id and its first access and refresh tokens. A login front end calls it in process; the CLI as <c>session issue</c>.
/// </summary>
/// <param name="ExpiresInSeconds">Each session's absolute lifetime from now.</param>
public sealed record IssueSessionsCommand(AccountId Account, string Anchor, int Count, int ExpiresInSeconds)
    : IRequest<AdministrationOutcome<IssueSessionsResult>>
{
    public const int DefaultCount = 1;

    public const int DefaultExpiresInSeconds = 30 * 24 * 60 * 60;
}

public sealed record IssueSessionsResult(int Issued, IReadOnlyList<IssuedSession> Sessions);

/// <summary>One new session: its id (the <c>sid</c>) and its first token pair.</summary>
public sealed record IssuedSession(string SessionId, string AccessToken, string RefreshToken);
