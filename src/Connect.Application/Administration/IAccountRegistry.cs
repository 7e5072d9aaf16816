using Connect.Domain.Accounts;
using Connect.Domain.Applications;

namespace Connect.Application.Administration;

/// <summary>Creates accounts, their sector subjects and their refresh-token sessions.</summary>
public interface IAccountRegistry
{
    Task<AccountId> CreateAccountAsync(CancellationToken cancellationToken);

    Task<bool> AccountExistsAsync(AccountId account, CancellationToken cancellationToken);

    /// <summary>The account's one subject in the sector: created on first call, the same on every later call.</summary>
    /// <returns><c>null</c> when the account does not exist.</returns>
    Task<SectorSubject?> IssueSubjectAsync(AccountId account, SectorId sector, CancellationToken cancellationToken);

    /// <summary>Issues <paramref name="count"/> refresh tokens; only their hashes are stored.</summary>
    Task<int> IssueSessionsAsync(
        AccountId account, AppId application, int count, DateTimeOffset issuedAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    Task<SessionCounts> CountSessionsAsync(AccountId account, AppId application, CancellationToken cancellationToken);
}

public sealed record SessionCounts(int Active, int Revoked, int Expired);
