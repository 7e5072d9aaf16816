using Connect.Domain.Accounts;
using Connect.Domain.Applications;

namespace Connect.Domain.Sessions;

/// <summary>Revokes refresh tokens (the long-lived credential of one session).</summary>
public interface IRefreshTokenRevoker
{
    /// <summary>
    /// Revokes, atomically, every refresh token of the account issued for the application that is still
    /// active (neither revoked nor expired), and records the call and its count in the revocation audit in
    /// the same atomic step.
    /// </summary>
    /// <returns>How many tokens this call revoked; concurrent calls never count the same token twice.</returns>
    Task<int> RevokeAllActiveAsync(AccountId account, AppId application, CancellationToken cancellationToken);
}
