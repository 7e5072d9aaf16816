namespace Connect.Domain.Sessions;

/// <summary>Why a session was ended; stored with it, and the kind of its audit event.</summary>
public enum SessionEndReason
{
    /// <summary><c>/revoke-all</c> ended every active session of the account for the application.</summary>
    RevokeAll,

    /// <summary>The holder of one of its refresh tokens logged out.</summary>
    Logout,

    /// <summary>A consumed refresh token was presented again outside the grace window: evidence of theft.</summary>
    ReuseDetected,

    /// <summary>A rotation lost its conditional write and could not adopt the winner.</summary>
    RotationRaceLost,
}
