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

/// <summary>One event that ended sessions: a revoke-all that reached an account, a logout, a detected reuse.</summary>
/// <param name="Kind"><c>revoke_all</c>, <c>logout</c> or <c>reuse_detected</c> (SESSIONS.md "Audit").</param>
/// <param name="RevokedCount">How many sessions it ended: what revoke-all answered (0 included), 1 otherwise.</param>
public sealed record AuditEvent(DateTimeOffset At, string Kind, ApplicationAnchor Anchor, AccountId Account, int RevokedCount);
