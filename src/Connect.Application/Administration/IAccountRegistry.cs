namespace Connect.Application.Administration;

/// <summary>Creates accounts, their sector subjects and their refresh-token sessions; disables and deletes them.</summary>
public interface IAccountRegistry
{
    Task<AccountId> CreateAccountAsync(CancellationToken cancellationToken);

    /// <summary>Whether the account exists, deleted (a tombstone) included.</summary>
    Task<bool> AccountExistsAsync(AccountId account, CancellationToken cancellationToken);

    Task<AccountStatus> GetStatusAsync(AccountId account, CancellationToken cancellationToken);

    /// <summary>The account's one subject in the sector: created on first call, the same on every later call.</summary>
    /// <returns><c>null</c> when the account does not exist or was deleted.</returns>
    Task<SectorSubject?> IssueSubjectAsync(AccountId account, SectorId sector, CancellationToken cancellationToken);

    /// <summary>Issues <paramref name="count"/> sessions that no token names (seeding); none for a disabled or deleted account.</summary>
    Task<int> IssueSessionsAsync(
        AccountId account, AppId application, int count, DateTimeOffset issuedAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    Task<SessionCounts> CountSessionsAsync(AccountId account, AppId application, CancellationToken cancellationToken);

    /// <summary>
    /// Disables or enables the account and audits it (<c>account_disabled</c>, <c>account_enabled</c>) in the same
    /// statement. Its sessions are left as they are: while disabled none of them refreshes or introspects as active.
    /// </summary>
    /// <returns><see cref="AccountStatus.Enabled"/> or <see cref="AccountStatus.Disabled"/> as now set; otherwise
    /// <see cref="AccountStatus.Unknown"/> or <see cref="AccountStatus.Deleted"/>, and nothing changed.</returns>
    Task<AccountStatus> SetEnabledAsync(AccountId account, bool enabled, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the account in one transaction: ends every live session it has in every application (each
    /// application's revocation audited as revoke-all audits it), removes its sector subjects, leaves a tombstone
    /// (disabled, <c>deleted_at</c> set) and audits <c>account_deleted</c> with the total.
    /// </summary>
    Task<AccountDeletion> DeleteAsync(AccountId account, CancellationToken cancellationToken);
}

public sealed record SessionCounts(int Active, int Revoked, int Expired);

/// <summary>What an account is, as far as signing in and its sessions are concerned.</summary>
public enum AccountStatus
{
    /// <summary>No account has the id.</summary>
    Unknown,

    Enabled,

    /// <summary>Its sessions are kept but neither refresh nor introspect as active; no session is issued.</summary>
    Disabled,

    /// <summary>A tombstone: its sessions ended, its subjects removed, never enabled again.</summary>
    Deleted,
}

/// <summary>What deleting an account did.</summary>
/// <param name="SessionsRevoked">How many live sessions this call ended, over every application (0 unless deleted).</param>
public sealed record AccountDeletion(AccountDeletionOutcome Outcome, int SessionsRevoked);

public enum AccountDeletionOutcome
{
    Deleted,

    /// <summary>Nothing: no account has the id.</summary>
    UnknownAccount,

    /// <summary>Nothing: the account was deleted before.</summary>
    AlreadyDeleted,
}
