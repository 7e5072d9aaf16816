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
/// needs them back) and what it is bound to, the inquiry (named by its exposure key) or the enrollment link. It
/// expires at <see cref="ExpiresAt"/> or with what it is bound to, whichever comes first.
/// </summary>
public sealed record WebAuthnChallenge(
    Guid Id, CeremonyPurpose Purpose, string? ExposureKey, Guid? EnrollmentLink, string Options, DateTimeOffset ExpiresAt);

/// <summary>Single-use WebAuthn challenges (W3C WebAuthn Level 2 §13.4.3: a challenge must not be replayable).</summary>
public interface IWebAuthnChallengeStore
{
    /// <summary>Keeps the challenge; <c>false</c> (nothing kept) when its inquiry or link no longer exists.</summary>
    Task<bool> SaveAsync(WebAuthnChallenge challenge, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the challenge away and answers its options, when it exists, is for <paramref name="purpose"/>, is
    /// bound to exactly this inquiry or link, and has not expired; else <c>null</c>. Either way it is gone: one
    /// statement, so two answers to one challenge cannot both be verified.
    /// </summary>
    Task<string?> TakeAsync(
        Guid id, CeremonyPurpose purpose, string? exposureKey, Guid? enrollmentLink, CancellationToken cancellationToken);

    /// <summary>Drops every challenge of the inquiry: it was realized, none of them may be answered any more.</summary>
    Task DropForInquiryAsync(string exposureKey, CancellationToken cancellationToken);
}
