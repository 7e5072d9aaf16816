namespace Connect.Domain.Sessions;

/// <summary>What the store knows of one session at one moment, with what the checks of docs/contract/sessions.md read beside it.</summary>
/// <param name="Subject">The account's subject in the application's sector (the access token's <c>sub</c>).</param>
/// <param name="ApplicationEnabled">Whether the session's application is enabled, read in the same round trip.</param>
/// <param name="CurrentJti">The <c>jti</c> of the current version's refresh token.</param>
/// <param name="PreviousJti">The <c>jti</c> of the previous version's refresh token; none before the first rotation.</param>
/// <param name="RotatedAt">When the current version was made, in whole seconds: its refresh token's <c>iat</c>.</param>
/// <param name="CurrentKeyId">The signing key of the current refresh token; none for sessions made before tokens.</param>
/// <param name="AccountEnabled">Whether the session's account is enabled (not disabled, not deleted), read in the same
/// round trip.</param>
/// <param name="AccountDeleted">Whether the session's account was deleted: its sessions were ended and its subjects
/// removed, so the session has no subject any more.</param>
/// <param name="AccessTokenTtlSeconds">The session's own access-token lifetime (an <c>/establish</c> constraint's
/// <c>accessTokenTtlSeconds</c>, stored by <c>/redeem</c>); none means the configured lifetime.</param>
/// <param name="SinceRotation">How long before this read the current version was committed, both instants on the
/// database's clock (so that every instance judges the grace window alike); none from a store that does not say.</param>
public sealed record SessionState(
    SessionId Id,
    AppId Application,
    AccountId Account,
    SectorSubject? Subject,
    bool ApplicationEnabled,
    int RotationVersion,
    string CurrentJti,
    string? PreviousJti,
    DateTimeOffset RotatedAt,
    string? CurrentKeyId,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    bool AccountEnabled = true,
    bool AccountDeleted = false,
    int? AccessTokenTtlSeconds = null,
    TimeSpan? SinceRotation = null);
