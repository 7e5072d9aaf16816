namespace Connect.Application.ClientAuthentication;

/// <summary>Looks up a registered application, its status and its active (not retired) keys by anchor.</summary>
public interface IClientApplicationDirectory
{
    /// <returns>The application, or <c>null</c> when no application has exactly that anchor.</returns>
    Task<ClientApplication?> FindByAnchorAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);
}
