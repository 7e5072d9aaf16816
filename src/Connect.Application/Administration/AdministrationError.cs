namespace Connect.Application.Administration;

/// <summary>The stable codes of the administrative failures an operator can cause. The set is closed.</summary>
public enum AdministrationErrorCode
{
    InvalidArgument,
    InvalidPublicKey,
    UnknownSector,
    UnknownAnchor,
    UnknownAccount,
    UnknownKey,
    AnchorTaken,
    TooManySigningKeys,
    SigningKeyRaced,
    KeyRetired,
    TooManyKeys,
    AccountDisabled,
    AccountDeleted,
    InvalidReceiverUrl,
    UnknownReceiver,
    TooManyReceivers,
}

/// <summary>
/// Why an administrative command did nothing: a stable code and one plain-English line for the operator. It is
/// not a <see cref="Domain.Outcomes.ReasonCode"/>: those are the HTTP contract's closed set, and these never reach
/// the wire. Messages are built only here, so the same failure always reads the same.
/// </summary>
public sealed record AdministrationError
{
    private AdministrationError(AdministrationErrorCode code, string message)
    {
        Code = code;
        Message = message;
    }

    public AdministrationErrorCode Code { get; }

    public string Message { get; }

    public static AdministrationError InvalidArgument(string detail) => new(AdministrationErrorCode.InvalidArgument, detail);

    public static AdministrationError InvalidPublicKey(string detail) =>
        new(AdministrationErrorCode.InvalidPublicKey, $"invalid public key: {detail}");

    public static AdministrationError UnknownSector(SectorId sector) =>
        new(AdministrationErrorCode.UnknownSector, $"no sector has the id {sector}");

    public static AdministrationError UnknownAnchor(string anchor) =>
        new(AdministrationErrorCode.UnknownAnchor, $"no application has the anchor '{anchor}'");

    public static AdministrationError UnknownAccount(AccountId account) =>
        new(AdministrationErrorCode.UnknownAccount, $"no account has the id {account}");

    public static AdministrationError UnknownKey(string anchor, string keyId) =>
        new(AdministrationErrorCode.UnknownKey, $"the application '{anchor}' has no active key '{keyId}'");

    public static AdministrationError UnknownSigningKey(string anchor, string keyId) =>
        new(AdministrationErrorCode.UnknownKey, $"the application '{anchor}' has no token-signing key '{keyId}' that is not already removed");

    public static AdministrationError TooManySigningKeys(string anchor, int limit) =>
        new(AdministrationErrorCode.TooManySigningKeys,
            $"the application '{anchor}' already publishes {limit} token-signing keys; remove one or wait for a retiring key to expire");

    public static AdministrationError SigningKeyRaced(string anchor) =>
        new(AdministrationErrorCode.SigningKeyRaced,
            $"the token-signing keys of '{anchor}' were changed by another command at the same time; run the command again");

    public static AdministrationError AnchorTaken(string anchor) =>
        new(AdministrationErrorCode.AnchorTaken, $"the anchor '{anchor}' is already registered");

    public static AdministrationError KeyRetired(string anchor, KeyId key) =>
        new(AdministrationErrorCode.KeyRetired,
            $"the key '{key}' of '{anchor}' was retired and is never brought back; generate a new key pair");

    public static AdministrationError TooManyKeys(string anchor) =>
        new(AdministrationErrorCode.TooManyKeys,
            $"the application '{anchor}' already has {ClientPublicKey.MaxActivePerApplication} active keys; retire one first");

    public static AdministrationError AccountDisabled(AccountId account) =>
        new(AdministrationErrorCode.AccountDisabled, $"the account {account} is disabled; enable it first");

    public static AdministrationError AccountDeleted(AccountId account) =>
        new(AdministrationErrorCode.AccountDeleted, $"the account {account} was deleted and is never brought back");

    /// <summary><paramref name="problem"/> is <c>ReceiverUrlPolicy</c>'s sentence, which names the URL already.</summary>
    public static AdministrationError InvalidReceiverUrl(string problem) => new(AdministrationErrorCode.InvalidReceiverUrl, problem);

    public static AdministrationError UnknownReceiver(string anchor, ReceiverId receiver) =>
        new(AdministrationErrorCode.UnknownReceiver, $"the application '{anchor}' has no receiver {receiver}");

    public static AdministrationError UnknownReceiver(ReceiverId receiver) =>
        new(AdministrationErrorCode.UnknownReceiver, $"no receiver has the id {receiver}");

    public static AdministrationError TooManyReceivers(string anchor, int limit) =>
        new(AdministrationErrorCode.TooManyReceivers, $"the application '{anchor}' already has {limit} receivers; remove one first");

    /// <summary>The refusal for an account that exists but cannot be used; <c>null</c> for an enabled one.</summary>
    public static AdministrationError? Unusable(AccountId account, AccountStatus status) => status switch
    {
        AccountStatus.Unknown => UnknownAccount(account),
        AccountStatus.Disabled => AccountDisabled(account),
        AccountStatus.Deleted => AccountDeleted(account),
        _ => null,
    };

    public override string ToString() => $"{Code}: {Message}";
}
