using Connect.Domain.Accounts;
using Connect.Domain.Applications;

namespace Connect.Application.Audit;

/// <summary>
/// Reads the revocation audit. It is written by <see cref="Domain.Sessions.IRefreshTokenRevoker"/> in the same
/// statement as the revocation, never separately.
/// </summary>
public interface IRevocationAuditLog
{
    /// <summary>The newest <paramref name="limit"/> events, of one application when an anchor is given.</summary>
    /// <returns><c>null</c> when <paramref name="anchor"/> names no application.</returns>
    Task<IReadOnlyList<AuditEvent>?> ListNewestFirstAsync(ApplicationAnchor? anchor, int limit, CancellationToken cancellationToken);
}

/// <summary>One successful revoke-all that reached an account.</summary>
/// <param name="RevokedCount">What the call answered; 0 when the account had no active token left.</param>
public sealed record AuditEvent(DateTimeOffset At, ApplicationAnchor Anchor, AccountId Account, int RevokedCount);
