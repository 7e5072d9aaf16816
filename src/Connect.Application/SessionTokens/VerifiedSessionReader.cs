using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;

namespace Connect.Application.SessionTokens;

/// <summary>
/// Reads the session a verified token names, for the endpoints that only read it before answering (<c>/introspect</c>,
/// <c>/userinfo</c>, <c>/claim-state</c>, <c>/logout</c>), in one round trip that also confirms the keys the token
/// verified under: the same statement returns the revision of the token's application, and when it is not the
/// revision of the kept copy that verified the token, the token is verified again with the keys read anew and the
/// session read again (docs/decisions.md, "Session endpoints in one round trip"). So nothing a key removal, a
/// disabled or a deleted application committed before the read is missed, and the common case costs one statement.
/// </summary>
public sealed class VerifiedSessionReader(SessionTokenVerifier verifier, ISessionStore sessions)
{
    /// <param name="presented">The token as presented, to verify again when the keys moved on.</param>
    /// <returns>The token as finally verified and its session (or <c>null</c>); or the verifier's refusal.</returns>
    public async Task<Outcome<(VerifiedAccessToken Token, SessionState? Session)>> ReadAsync(
        string? presented, VerifiedAccessToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var id = new SessionId(token.Claims.SessionId);
        var read = await sessions.FindAsync(id, token.Application, cancellationToken).ConfigureAwait(false);
        if (token.Confirmed || read.ApplicationRevision == token.Revision)
        {
            return (token, read.Session);
        }

        var again = await verifier.VerifyAccessAsync(presented, cancellationToken, confirm: true).ConfigureAwait(false);
        if (!again.Succeeded)
        {
            return again.Failure;
        }

        return (again.Value, await sessions.FindAsync(id, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc cref="ReadAsync(string?, VerifiedAccessToken, CancellationToken)"/>
    public async Task<Outcome<(VerifiedRefreshToken Token, SessionState? Session)>> ReadAsync(
        string? presented, VerifiedRefreshToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var id = new SessionId(token.Claims.SessionId);
        var read = await sessions.FindAsync(id, token.Application, cancellationToken).ConfigureAwait(false);
        if (token.Confirmed || read.ApplicationRevision == token.Revision)
        {
            return (token, read.Session);
        }

        var again = await verifier.VerifyRefreshAsync(presented, cancellationToken, confirm: true).ConfigureAwait(false);
        if (!again.Succeeded)
        {
            return again.Failure;
        }

        return (again.Value, await sessions.FindAsync(id, cancellationToken).ConfigureAwait(false));
    }
}
