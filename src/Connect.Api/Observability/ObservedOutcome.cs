namespace Connect.Api.Observability;

/// <summary>
/// What a request ended with, filled in where it is decided (<c>ReasonResponse</c> for every error, the controller
/// or the use case for a success) and read once by <see cref="EndpointObserver"/> when the request ends.
/// </summary>
internal sealed class ObservedOutcome
{
    public ReasonCode? Reason { get; set; }

    /// <summary>
    /// The name of a successful outcome, for an endpoint that tells several apart (<c>Rotated</c>, <c>Adopted</c>,
    /// <c>NotRevoked</c>...); a 2xx without one is logged <c>Answered</c>.
    /// </summary>
    public string? Result { get; set; }

    /// <summary><c>/revoke-all</c>: the sessions it revoked; its success is logged <c>Revoked</c>.</summary>
    public int? RevokedCount { get; set; }

    /// <summary>The first 8 hex digits of SHA-256 over the subject's UTF-8 bytes; the subject itself is never kept.</summary>
    public string? SubjectHash { get; private set; }

    /// <summary>The first 8 hex digits of SHA-256 over the sid's UTF-8 bytes; the sid itself is never kept.</summary>
    public string? SessionHash { get; private set; }

    /// <summary>
    /// Subjects are server-issued 256-bit random values, so an unkeyed hash reveals nothing about the person,
    /// and support can compute it from a subject an application reports to find its log lines on every
    /// instance and across restarts. 32 bits are enough to pick one user's requests out of an application's.
    /// </summary>
    public void SetSubject(string subject) => SubjectHash = ShortHash(subject);

    /// <summary>
    /// The same reasoning as for subjects: a sid is 256 server-issued random bits, so 32 bits of its unkeyed hash
    /// find one session's requests without being a credential or a durable identifier.
    /// </summary>
    public void SetSession(SessionId session) => SessionHash = ShortHash(session.Value);

    private static string ShortHash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)), 0, 4);
}
