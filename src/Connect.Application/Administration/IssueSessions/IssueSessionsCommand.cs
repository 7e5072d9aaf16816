using Connect.Domain.Accounts;
using MediatR;

namespace Connect.Application.Administration.IssueSessions;

/// <summary>Issue <paramref name="Count"/> active refresh-token sessions of one account for one application.</summary>
/// <param name="ExpiresInSeconds">Lifetime of each session from now.</param>
public sealed record IssueSessionsCommand(AccountId Account, string Anchor, int Count, int ExpiresInSeconds)
    : IRequest<AdministrationOutcome<IssueSessionsResult>>
{
    public const int DefaultCount = 1;

    public const int DefaultExpiresInSeconds = 30 * 24 * 60 * 60;
}

public sealed record IssueSessionsResult(int Issued);
