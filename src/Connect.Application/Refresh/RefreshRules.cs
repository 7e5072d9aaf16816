namespace Connect.Application.Refresh;

/// <summary>What steps 7 to 11 of docs/contract/sessions.md's <c>/refresh</c> make of a verified refresh token and its session.</summary>
public enum RefreshVerdict
{
    /// <summary>Step 7: no such session of that application, a version ahead of it, or the wrong jti.</summary>
    Invalid,

    /// <summary>Step 8: the session is revoked, whatever the version.</summary>
    Revoked,

    /// <summary>Step 9: the session has expired.</summary>
    Expired,

    /// <summary>Step 10: the application is disabled.</summary>
    ApplicationDisabled,

    /// <summary>After step 10: the session's account is disabled (docs/decisions.md, "Accounts that people own").</summary>
    AccountDisabled,

    /// <summary>Step 11: the current version; rotate it.</summary>
    Rotate,

    /// <summary>Step 11: the previous version within the grace window; answer the current refresh token again.</summary>
    Adopt,

    /// <summary>Step 11: an older version, or the previous one after the grace window: theft; revoke the session.</summary>
    Reuse,
}

/// <summary>
/// The session checks of <c>/refresh</c>, in docs/contract/sessions.md's order, as a pure function of the session's state and the
/// clock. The signature, <c>aud</c> and rate budget (steps 1 to 6) are checked before; nothing here reads or writes.
/// </summary>
public static class RefreshRules
{
    public static RefreshVerdict Judge(
        SessionState? session, AppId tokenApplication, int presentedVersion, string presentedJti, DateTimeOffset now,
        TimeSpan graceWindow)
    {
        ArgumentNullException.ThrowIfNull(presentedJti);
        if (session is null || session.Application != tokenApplication || !IsGenuineVersion(session, presentedVersion, presentedJti))
        {
            return RefreshVerdict.Invalid;
        }

        if (session.RevokedAt is not null)
        {
            return RefreshVerdict.Revoked;
        }

        // The refresh token's exp is the session's expiry, so one comparison answers for both.
        if (now >= session.ExpiresAt)
        {
            return RefreshVerdict.Expired;
        }

        if (!session.ApplicationEnabled)
        {
            return RefreshVerdict.ApplicationDisabled;
        }

        // The application's state before the account's: an application's refusal is the same for all its users.
        // A deleted account's sessions were all revoked with it (step 8); one issued in a race is refused here.
        if (!session.AccountEnabled)
        {
            return RefreshVerdict.AccountDisabled;
        }

        if (presentedVersion == session.RotationVersion)
        {
            return RefreshVerdict.Rotate;
        }

        // "Committed at most the grace window ago": exactly the window still adopts. Judged on the database's clock,
        // which stamped the rotation, whichever instance rotated and whichever judges now (docs/decisions.md, "The
        // grace window on the database's clock").
        var sinceRotation = session.SinceRotation ?? now - session.RotatedAt;
        return presentedVersion == session.RotationVersion - 1 && sinceRotation <= graceWindow
            ? RefreshVerdict.Adopt
            : RefreshVerdict.Reuse;
    }

    /// <summary>
    /// Whether the token can belong to this session: never a version ahead of it; for the current and the previous
    /// version, exactly the jti that version was issued with. An older version is bound by its signature, sid and
    /// version alone (its jti is no longer kept).
    /// </summary>
    public static bool IsGenuineVersion(SessionState session, int presentedVersion, string presentedJti)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (presentedVersion < 1 || presentedVersion > session.RotationVersion)
        {
            return false;
        }

        if (presentedVersion == session.RotationVersion)
        {
            return string.Equals(presentedJti, session.CurrentJti, StringComparison.Ordinal);
        }

        return presentedVersion != session.RotationVersion - 1
            || string.Equals(presentedJti, session.PreviousJti, StringComparison.Ordinal);
    }
}
