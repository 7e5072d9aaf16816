using Connect.Domain.Applications;

namespace Connect.Application.Administration;

/// <summary>Registers sectors, applications and their client-auth keys.</summary>
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
