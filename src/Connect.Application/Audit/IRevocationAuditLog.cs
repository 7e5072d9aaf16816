namespace Connect.Application.Audit;

/// <summary>
/// Reads the audit. Its events that end sessions are written by <see cref="Domain.Sessions.IRefreshTokenRevoker"/>
/// and <see cref="Domain.Sessions.ISessionStore"/> in the same statement as the revocation, never separately; the
/// operator's changes by <see cref="IOperatorAuditLog"/>.
/// </summary>
public interface IRevocationAuditLog
{
    /// <summary>The newest <paramref name="limit"/> events, of one application when an anchor is given.</summary>
    /// <returns><c>null</c> when <paramref name="anchor"/> names no application.</returns>
    Task<IReadOnlyList<AuditEvent>?> ListNewestFirstAsync(ApplicationAnchor? anchor, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// One audit event: one that ended sessions (a revoke-all that reached an account, a logout, a detected reuse, an
/// account's deletion), an operator's change to an application, its keys or an account, or a sign-in event.
/// </summary>
/// <param name="Kind">One of <see cref="AuditKinds"/> (docs/contract/sessions.md "Audit").</param>
/// <param name="Account">The account whose sessions it ended; <c>null</c> for an operator's change.</param>
/// <param name="RevokedCount">
/// How many sessions it ended: what revoke-all answered (0 included), 1 for a logout or a reuse; 0 for an operator's
/// change.
/// </param>
/// <param name="SessionId">The sid of the one session a logout or a reuse ended.</param>
/// <param name="Anchor">The application it was about; <c>null</c> for an account or passkey event, which names none.</param>
/// <param name="KeyId">The key an operator's change was about, when one was.</param>
/// <param name="Detail">How an inquiry was realized (<c>passkey</c>, <c>enrollment</c>, <c>operator</c>), or why a signal
/// was dead-lettered.</param>
/// <param name="ReceiverId">The signal receiver a receiver or dead-letter event was about.</param>
/// <param name="SignalCount">How many pending or dead signals a receiver's removal dropped.</param>
public sealed record AuditEvent(
    DateTimeOffset At,
    string Kind,
    ApplicationAnchor? Anchor,
    AccountId? Account,
    int RevokedCount,
    string? SessionId = null,
    string? KeyId = null,
    string? Detail = null,
    Guid? ReceiverId = null,
    int? SignalCount = null);
