namespace Connect.Application.Inquiries;

/// <summary>Stores inquiries; every change is one conditional statement, so it happens at most once on any instance.</summary>
public interface IInquiryStore
{
    Task CreateAsync(NewInquiry inquiry, CancellationToken cancellationToken);

    /// <returns>The inquiry with its application and its realizing account as they are now, or <c>null</c>.</returns>
    Task<StoredInquiry?> FindAsync(string exposureKey, CancellationToken cancellationToken);

    /// <summary>Whether the account exists, may sign in, and its subject in the sector (without issuing one).</summary>
    Task<AccountStanding> FindAccountAsync(AccountId account, SectorId sector, CancellationToken cancellationToken);

    /// <summary>
    /// Binds the inquiry to the account and writes the <c>inquiry_realized</c> audit row in one statement, only if at
    /// <see cref="InquiryRealization.Now"/> it is still unrealized, unexpired, and the account may still sign in.
    /// </summary>
    /// <returns><c>false</c> when a condition no longer held (a concurrent realization won, or the state moved).</returns>
    Task<bool> TryRealizeAsync(InquiryRealization realization, CancellationToken cancellationToken);

    /// <summary>Counts one poll, only while the inquiry has had fewer than <paramref name="maxPolls"/>.</summary>
    /// <returns><c>false</c> when the limit was already reached.</returns>
    Task<bool> TryCountPollAsync(Guid inquiry, int maxPolls, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the inquiry redeemed, stores the new session and writes the <c>inquiry_redeemed</c> audit row, in one
    /// statement gated by a conditional UPDATE: of any number of concurrent calls on any instances, one stores a
    /// session and the rest change nothing.
    /// </summary>
    /// <returns>Whether this call redeemed it.</returns>
    Task<bool> TryRedeemAsync(InquiryRedemption redemption, CancellationToken cancellationToken);
}

/// <summary>A new inquiry; only the hash of its hidden key is stored.</summary>
public sealed record NewInquiry(
    Guid Id,
    AppId Application,
    string ExposureKey,
    byte[] HiddenKeyHash,
    IReadOnlyList<string>? AllowedSectorSubjects,
    int? AccessTokenTtlSeconds,
    int? RefreshTokenTtlSeconds,
    string? CallbackUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>An inquiry as stored, with its application (<c>null</c> fields once the application is gone).</summary>
public sealed record StoredInquiry(
    Guid Id,
    string ExposureKey,
    byte[] HiddenKeyHash,
    InquiryApplication? Application,
    IReadOnlyList<string>? AllowedSectorSubjects,
    int? AccessTokenTtlSeconds,
    int? RefreshTokenTtlSeconds,
    string? CallbackUrl,
    DateTimeOffset ExpiresAt,
    int Polls,
    InquiryRealizedBy? RealizedBy,
    DateTimeOffset? RedeemedAt);

/// <summary>The application an inquiry belongs to, as the sign-in page and redemption need it.</summary>
/// <param name="DisplayName">What the page calls it; <c>null</c> shows the anchor.</param>
public sealed record InquiryApplication(
    AppId Id, ApplicationAnchor Anchor, SectorId Sector, bool Enabled, string? DisplayName, bool SignUpOpen)
{
    /// <summary>The name a person reads: the display name, or the anchor when there is none.</summary>
    public string Name => DisplayName ?? Anchor.Value;
}

/// <summary>The realization of an inquiry and the realizing account's state now (its subject in the application's sector).</summary>
public sealed record InquiryRealizedBy(
    AccountId Account, AccountStanding Standing, byte[] ConfirmationNonce, byte[] ConfirmationKeyHash);

/// <summary>An account as sign-in judges it.</summary>
/// <param name="Subject">Its subject in the sector asked about, <c>null</c> when it has none there yet.</param>
public sealed record AccountStanding(bool Exists, bool Enabled, bool Deleted, SectorSubject? Subject)
{
    public static AccountStanding Missing { get; } = new(false, false, false, null);
}

public sealed record InquiryRealization(
    Guid Inquiry,
    AppId Application,
    AccountId Account,
    RealizationMethod How,
    byte[] ConfirmationNonce,
    byte[] ConfirmationKeyHash,
    DateTimeOffset Now);

/// <summary>The redemption and the session it begins (stored as <c>session issue</c> stores one, with the inquiry's access
/// lifetime, if any, as the session's own).</summary>
public sealed record InquiryRedemption(
    Guid Inquiry,
    AccountId Account,
    AppId Application,
    byte[] ConfirmationKeyHash,
    string SessionId,
    string FirstJti,
    string KeyId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    int? AccessTokenTtlSeconds,
    DateTimeOffset Now);

/// <summary>How a person proved who they were (the audit's <c>detail</c>).</summary>
public enum RealizationMethod
{
    Passkey,
    Enrollment,
    Operator,
}
