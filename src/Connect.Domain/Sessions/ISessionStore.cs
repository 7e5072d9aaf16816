namespace Connect.Domain.Sessions;

/// <summary>Reads sessions and changes them, each change one conditional statement.</summary>
public interface ISessionStore
{
    /// <summary>
    /// Stores new sessions of one account for one application, each at version 1 with the jti of its first refresh
    /// token, in one statement: all of them or none.
    /// </summary>
    /// <returns><c>false</c>, and nothing stored, when the account is disabled or deleted (judged under a lock on the
    /// account, so a concurrent disable or delete either sees these sessions or they are not stored).</returns>
    Task<bool> IssueAsync(NewSessions sessions, CancellationToken cancellationToken);

    /// <returns>The session with its application's status and the account's subject, or <c>null</c>.</returns>
    Task<SessionState?> FindAsync(SessionId id, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="FindAsync(SessionId, CancellationToken)"/> and, in the same statement and snapshot, the revision of
    /// <paramref name="application"/> (the one the token names), so that a caller that verified the token with a kept
    /// copy of that application's keys learns in the same round trip whether the copy was current.
    /// </summary>
    Task<SessionRead> FindAsync(SessionId id, Applications.AppId application, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the session from <see cref="SessionRotation.FromVersion"/> to the next version, only if at
    /// <see cref="SessionRotation.Now"/> it is still at that version with that jti, not revoked, not expired, and
    /// its application is enabled. One version is rotated at most once, on any number of instances.
    /// </summary>
    /// <remarks>
    /// With <see cref="SessionRotation.ApplicationRevision"/>, the application must also still be at that revision:
    /// the caller chose and verified keys from a kept copy at it, and the write confirms the copy in its own snapshot.
    /// </remarks>
    /// <returns>
    /// Whether this call rotated, and the session as the statement found it before any write: when it did not
    /// rotate although that state allowed it, a concurrent change won the row. When the application was no longer
    /// at the revision given (or no longer exists), nothing was rotated and
    /// <see cref="RotationAttempt.ApplicationChanged"/> says so.
    /// </returns>
    Task<RotationAttempt> TryRotateAsync(SessionRotation rotation, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the session if it is still active at <paramref name="now"/>, and records the audit event in the same
    /// statement.
    /// </summary>
    /// <returns><c>true</c> when this call ended it; <c>false</c> when it was already revoked, expired or unknown.</returns>
    Task<bool> EndAsync(SessionId id, SessionEndReason reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one adoption of the session, and when the count just went past <paramref name="alertAfter"/>, records
    /// the <c>adoption_threshold_exceeded</c> audit event in the same statement (once per session).
    /// </summary>
    /// <returns><c>true</c> when this adoption was the one past the threshold.</returns>
    Task<bool> CountAdoptionAsync(SessionId id, int alertAfter, CancellationToken cancellationToken);
}

/// <summary>One rotation: the version presented and what the next version is made of.</summary>
/// <param name="RotatedAt">The new version's refresh token <c>iat</c>, in whole seconds.</param>
/// <param name="Now">The clock the conditions are judged on (the same one the handler judged on).</param>
/// <param name="ApplicationRevision">The application's revision the caller's keys came from, to be confirmed by the
/// write; <c>null</c> when the caller has just read it (no condition).</param>
public sealed record SessionRotation(
    SessionId Id,
    Applications.AppId Application,
    int FromVersion,
    string PresentedJti,
    string NewJti,
    DateTimeOffset RotatedAt,
    string KeyId,
    DateTimeOffset Now,
    long? ApplicationRevision = null);

/// <summary>The outcome of one conditional rotation.</summary>
/// <param name="Before">The session as the statement saw it before writing; <c>null</c> when there is none.</param>
/// <param name="ApplicationChanged">The application was not at the revision the rotation named: nothing was
/// rotated, and <paramref name="Before"/> must not be judged with the keys of that revision.</param>
public sealed record RotationAttempt(bool Rotated, SessionState? Before, bool ApplicationChanged = false);

/// <summary>A session read with the revision of the application the token named, in one snapshot.</summary>
/// <param name="Session">The session, or <c>null</c>.</param>
/// <param name="ApplicationRevision">The application's revision; <c>null</c> when it no longer exists.</param>
public sealed record SessionRead(SessionState? Session, long? ApplicationRevision);

/// <summary>Sessions issued together: one account, one application, one instant, one signing key.</summary>
/// <param name="IssuedAt">Whole seconds: the <c>iat</c> of each first refresh token.</param>
/// <param name="ExpiresAt">Whole seconds: each session's absolute expiry, the <c>exp</c> of its refresh tokens.</param>
/// <param name="KeyId">The signing key of the first refresh tokens.</param>
/// <param name="Sessions">Each session's id and the jti of its first refresh token.</param>
public sealed record NewSessions(
    Accounts.AccountId Account,
    Applications.AppId Application,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string KeyId,
    IReadOnlyList<(SessionId Id, string FirstJti)> Sessions);
