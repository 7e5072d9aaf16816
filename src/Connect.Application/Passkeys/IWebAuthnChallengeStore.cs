namespace Connect.Application.Passkeys;

/// <summary>Which ceremony a challenge was issued for; a challenge answers only its own.</summary>
public enum CeremonyPurpose
{
    SignIn,
    SignUp,
    Enroll,
}

/// <summary>
/// A challenge sent to the browser, kept until its one answer: the options the browser was sent (the verification
/// needs them back) and what it is bound to, the inquiry (by its exposure key's hash) or the enrollment link.
/// </summary>
public sealed record WebAuthnChallenge(
    Guid Id, CeremonyPurpose Purpose, byte[]? ExposureKeyHash, Guid? EnrollmentLink, string Options, DateTimeOffset ExpiresAt);

/// <summary>Single-use WebAuthn challenges (W3C WebAuthn Level 2 §13.4.3: a challenge must not be replayable).</summary>
public interface IWebAuthnChallengeStore
{
    Task SaveAsync(WebAuthnChallenge challenge, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the challenge away and answers its options, when it exists, is for <paramref name="purpose"/>, is
    /// bound to exactly this inquiry or link, and has not expired; else <c>null</c>. Either way it is gone: one
    /// statement, so two answers to one challenge cannot both be verified.
    /// </summary>
    Task<string?> TakeAsync(
        Guid id, CeremonyPurpose purpose, byte[]? exposureKeyHash, Guid? enrollmentLink, CancellationToken cancellationToken);

    /// <summary>Drops every challenge of the inquiry: it was realized, none of them may be answered any more.</summary>
    Task DropForInquiryAsync(byte[] exposureKeyHash, CancellationToken cancellationToken);
}
