namespace Connect.Application.Passkeys;

/// <summary>
/// The WebAuthn ceremonies, verified by a library behind this port (Infrastructure/WebAuthn): discoverable
/// credentials only, user verification required, the relying party and its origins from configuration.
/// </summary>
public interface IPasskeyCeremony
{
    /// <summary>The options for <c>navigator.credentials.create</c>, as JSON for the page and for the challenge store.</summary>
    string BeginRegistration(byte[] userHandle, string userName);

    /// <summary>The attested credential, or <c>null</c> when the browser's answer does not verify against <paramref name="options"/>.</summary>
    Task<NewPasskey?> FinishRegistrationAsync(string options, ReadOnlyMemory<byte> response, CancellationToken cancellationToken);

    /// <summary>The options for <c>navigator.credentials.get</c> with no allowed credentials: the passkey names the account.</summary>
    string BeginAssertion();

    /// <summary>
    /// Verifies the browser's answer to <paramref name="options"/> against the passkey that
    /// <paramref name="findPasskey"/> finds by the answer's credential id.
    /// </summary>
    Task<AssertionResult> FinishAssertionAsync(
        string options,
        ReadOnlyMemory<byte> response,
        Func<byte[], CancellationToken, Task<StoredPasskey?>> findPasskey,
        CancellationToken cancellationToken);
}

/// <summary>How an assertion ended.</summary>
public enum AssertionStatus
{
    /// <summary>Signed by a stored passkey, user verified, counter ahead of the stored one.</summary>
    Verified,

    /// <summary>A genuine signature whose counter did not advance: refused, and audited by the caller.</summary>
    CounterRegressed,

    /// <summary>Anything else: unknown credential, bad signature, wrong origin or challenge, no user verification.</summary>
    Refused,
}

/// <param name="Passkey">The passkey, for <see cref="AssertionStatus.Verified"/> and <see cref="AssertionStatus.CounterRegressed"/>.</param>
/// <param name="Counter">The counter the authenticator reported.</param>
public sealed record AssertionResult(AssertionStatus Status, StoredPasskey? Passkey = null, uint Counter = 0)
{
    public static AssertionResult Refused { get; } = new(AssertionStatus.Refused);
}
