using Connect.Domain.Applications;

namespace Connect.Application.Administration;

/// <summary>Registers sectors, applications and their client-auth keys.</summary>
public interface IApplicationRegistry
{
    Task<SectorId> CreateSectorAsync(string? name, CancellationToken cancellationToken);

    Task<bool> SectorExistsAsync(SectorId sector, CancellationToken cancellationToken);

    /// <returns>The new application's id, or <c>null</c> when the anchor is taken.</returns>
    Task<AppId?> RegisterAsync(ApplicationAnchor anchor, SectorId sector, ClientPublicKey key, CancellationToken cancellationToken);

    /// <returns><c>false</c> when no application has the anchor.</returns>
    Task<bool> AddKeyAsync(ApplicationAnchor anchor, ClientPublicKey key, CancellationToken cancellationToken);

    /// <returns><c>false</c> when the anchor has no such active key.</returns>
    Task<bool> RetireKeyAsync(ApplicationAnchor anchor, KeyId key, CancellationToken cancellationToken);

    /// <returns><c>false</c> when no application has the anchor.</returns>
    Task<bool> SetEnabledAsync(ApplicationAnchor anchor, bool enabled, CancellationToken cancellationToken);

    Task<(AppId Id, SectorId Sector)?> FindAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);
}
