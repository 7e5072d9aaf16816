using System.Security.Cryptography;
using System.Text;
using Connect.Domain.Outcomes;

namespace Connect.Api.Observability;

/// <summary>
/// What a request ended with, filled in where it is decided (<c>ReasonResponse</c> for every error, the
/// controller for a revocation) and read once by <see cref="RevokeAllObserver"/> when the request ends.
/// </summary>
internal sealed class ObservedOutcome
{
    public ReasonCode? Reason { get; set; }

    public int? RevokedCount { get; set; }

    /// <summary>The first 8 hex digits of SHA-256 over the subject's UTF-8 bytes; the subject itself is never kept.</summary>
    public string? SubjectHash { get; private set; }

    /// <summary>
    /// Subjects are server-issued 256-bit random values, so an unkeyed hash reveals nothing about the person,
    /// and support can compute it from a subject an application reports to find its log lines on every
    /// instance and across restarts. 32 bits are enough to pick one user's requests out of an application's.
    /// </summary>
    public void SetSubject(string subject) =>
        SubjectHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject)), 0, 4);
}
