namespace Connect.Application.Passkeys;

/// <summary>A passkey as the page's ceremonies need it: the key that verifies, the counter that must advance.</summary>
public sealed record StoredPasskey(
    Guid Id, AccountId Account, byte[] CredentialId, byte[] PublicKey, uint SignatureCounter, byte[] UserHandle);

/// <summary>A credential an authenticator has just attested, not yet stored.</summary>
public sealed record NewPasskey(byte[] CredentialId, byte[] PublicKey, uint SignatureCounter, byte[] UserHandle);

/// <summary>What <c>account passkeys</c> shows of one passkey: never key material.</summary>
public sealed record PasskeySummary(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>The passkeys of accounts that people own (docs/contract/sign-in.md).</summary>
public interface IPasskeyStore
{
    /// <summary>
    /// A new account holding <paramref name="passkey"/> as its first, and its <c>passkey_added</c> event: all or
    /// nothing. <c>null</c> when the credential id is already stored (a second sign-up with the same passkey).
    /// </summary>
    Task<AccountId?> CreateAccountWithPasskeyAsync(NewPasskey passkey, CancellationToken cancellationToken);

    /// <summary>The passkey with this credential id, of an account that is not deleted; else <c>null</c>.</summary>
    Task<StoredPasskey?> FindAsync(byte[] credentialId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a verified use: the counter moves to <paramref name="counter"/> only forward (or stays 0 for an
    /// authenticator that keeps none). <c>false</c> when it would go backwards or stand still: a clone or a replay.
    /// </summary>
    Task<bool> RecordUseAsync(Guid passkey, uint counter, CancellationToken cancellationToken);

    /// <summary>Audits a refused assertion whose counter went backwards.</summary>
    Task RecordCounterRegressionAsync(StoredPasskey passkey, CancellationToken cancellationToken);

    /// <summary>The account's passkeys, oldest first; <c>null</c> when the account does not exist or is deleted.</summary>
    Task<IReadOnlyList<PasskeySummary>?> ListAsync(AccountId account, CancellationToken cancellationToken);
}
