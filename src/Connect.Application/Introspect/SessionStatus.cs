namespace Connect.Application.Introspect;

/// <summary>What the session an access token names is, at one moment (docs/contract/sessions.md <c>/introspect</c>'s <c>status</c>).</summary>
public enum SessionStatus
{
    /// <summary>The session can be used: not revoked, not expired, its application enabled.</summary>
    Active,

    /// <summary>The session was ended (revoke-all, logout, reuse, its account deleted), or its application or account is disabled.</summary>
    Revoked,

    /// <summary>The session's absolute expiry has passed.</summary>
    Expired,

    /// <summary>No such session, or not the session of the token's application and subject.</summary>
    NotFound,
}

/// <summary>
/// The session status of a verified access token, as a pure function of the session's state and the clock. It is
/// the one judgement <c>/introspect</c> answers and <c>/userinfo</c> and <c>/claim-state</c> require to be active.
/// </summary>
public static class SessionStatusRules
{
    public static SessionStatus Judge(SessionState? session, VerifiedSessionToken<AccessTokenClaims> token, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);

        // A token whose aud or sub is not its session's is no token of that session: the same answer as none,
        // so that a signed token cannot probe other applications' or accounts' sessions by their sid. A deleted
        // account's subjects are gone, so its sessions (all revoked with it) are matched by application alone.
        if (session is null || session.Application != token.Application
            || !(session.AccountDeleted
                 || string.Equals(session.Subject?.Value, token.Claims.Subject, StringComparison.Ordinal)))
        {
            return SessionStatus.NotFound;
        }

        if (session.AccountDeleted)
        {
            return SessionStatus.Revoked;
        }

        // Revoked before expired, in /refresh's order: an ended session says so whenever it would have expired.
        if (session.RevokedAt is not null)
        {
            return SessionStatus.Revoked;
        }

        if (now >= session.ExpiresAt)
        {
            return SessionStatus.Expired;
        }

        // Nothing of a disabled application or account may be used (its refreshes answer ApplicationDisabled or
        // AccountDisabled), so no resource server may be told its sessions are active; enabling it again makes them
        // active again.
        return session.ApplicationEnabled && session.AccountEnabled ? SessionStatus.Active : SessionStatus.Revoked;
    }

    /// <summary>
    /// Whether the session has ended for good: revoked, expired, or its account deleted. A disabled application or
    /// account is not an end (enabling it again makes the session active again).
    /// </summary>
    public static bool HasEnded(SessionState? session, DateTimeOffset now) =>
        session is not null && (session.RevokedAt is not null || session.AccountDeleted || now >= session.ExpiresAt);
}
