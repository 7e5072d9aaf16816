namespace Connect.Application.Passkeys;

/// <summary>A usable enrollment link: not expired, not used, its account not deleted.</summary>
/// <param name="UserHandle">The WebAuthn user.id the account's passkeys already carry; <c>null</c> when it has none yet.</param>
public sealed record EnrollmentLink(Guid Id, AccountId Account, DateTimeOffset ExpiresAt, byte[]? UserHandle);

/// <summary>One-time links that add a passkey to an existing account (<c>account passkey-link</c>).</summary>
public interface IEnrollmentLinks
{
    /// <summary>Stores the link by its token's hash; <c>false</c> when the account does not exist or is deleted.</summary>
    Task<bool> CreateAsync(
        Guid id, AccountId account, byte[] tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>The link whose token hashes to <paramref name="tokenHash"/>, if it can still be used.</summary>
    Task<EnrollmentLink?> FindUsableAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Uses the link up and adds <paramref name="passkey"/> to its account, with its <c>passkey_added</c> event, in
    /// one statement; <c>false</c> (nothing added) when the link was used, expired or its account deleted meanwhile,
    /// or the credential is already stored.
    /// </summary>
    Task<bool> AddPasskeyAsync(Guid link, NewPasskey passkey, CancellationToken cancellationToken);
}
