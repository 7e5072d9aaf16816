namespace Connect.Application.Administration;

/// <summary>Registers sectors, applications and their client-auth keys, and keeps their sign-in settings.</summary>
public interface IApplicationRegistry
{
    Task<SectorId> CreateSectorAsync(string? name, CancellationToken cancellationToken);

    Task<bool> SectorExistsAsync(SectorId sector, CancellationToken cancellationToken);

    /// <returns>The new application's id, or <c>null</c> when the anchor is taken.</returns>
    Task<AppId?> RegisterAsync(ApplicationAnchor anchor, SectorId sector, ClientPublicKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Adds an active key, unless the application already holds it (active: nothing changes; retired: it stays
    /// retired) or already has <see cref="ClientPublicKey.MaxActivePerApplication"/> active keys.
    /// </summary>
    Task<KeyAddition> AddKeyAsync(ApplicationAnchor anchor, ClientPublicKey key, CancellationToken cancellationToken);

    /// <returns><c>false</c> when the anchor has no such active key.</returns>
    Task<bool> RetireKeyAsync(ApplicationAnchor anchor, KeyId key, CancellationToken cancellationToken);

    /// <returns><c>false</c> when no application has the anchor.</returns>
    Task<bool> SetEnabledAsync(ApplicationAnchor anchor, bool enabled, CancellationToken cancellationToken);

    Task<(AppId Id, SectorId Sector)?> FindAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);

    /// <summary>The application's sign-in settings, for the sign-in page, <c>/establish</c> and <c>/info</c>.</summary>
    /// <returns><c>null</c> when no application has the anchor.</returns>
    Task<ApplicationSignInSettings?> FindSignInSettingsAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);

    /// <summary>Applies the changes in one statement and answers the settings as they now are.</summary>
    /// <returns><c>null</c> when no application has the anchor.</returns>
    Task<ApplicationSignInSettings?> UpdateAsync(ApplicationAnchor anchor, ApplicationChanges changes, CancellationToken cancellationToken);
}

/// <summary>What adding a client-auth key did.</summary>
public enum KeyAddition
{
    /// <summary>Nothing: no application has the anchor.</summary>
    UnknownAnchor,

    Added,

    /// <summary>Nothing: the key was already active.</summary>
    AlreadyActive,

    /// <summary>Nothing: the key was retired, and a retired key is never brought back.</summary>
    Retired,

    /// <summary>Nothing: the application already has the most active keys allowed.</summary>
    TooManyKeys,
}

/// <summary>
/// What the sign-in page shows and allows for an application (docs/contract/sign-in.md): its display name, whether a
/// person may create an account there, and the hosts a <c>CALLBACK</c> return method may name.
/// </summary>
/// <param name="DisplayName">The name set by <c>app update --name</c>; <c>null</c> when none was.</param>
/// <param name="CallbackHosts">Lower-case, as <see cref="CallbackHost"/> normalizes them (a URL's
/// <see cref="Uri.IdnHost"/>), matched exactly.</param>
public sealed record ApplicationSignInSettings(
    ApplicationAnchor Anchor, string? DisplayName, bool SignUpOpen, IReadOnlyList<string> CallbackHosts, bool Enabled)
{
    /// <summary>What people are shown: the display name, or the anchor when none was set.</summary>
    public string Name => DisplayName ?? Anchor.Value;
}

/// <summary>The changes <c>app update</c> asks for; <c>null</c> leaves a setting as it is.</summary>
/// <param name="CallbackHosts">Replaces the whole list (empty clears it), already normalized.</param>
public sealed record ApplicationChanges(string? DisplayName, bool? SignUpOpen, IReadOnlyList<string>? CallbackHosts)
{
    public bool IsEmpty => DisplayName is null && SignUpOpen is null && CallbackHosts is null;
}
