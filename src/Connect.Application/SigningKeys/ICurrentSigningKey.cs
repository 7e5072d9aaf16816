namespace Connect.Application.SigningKeys;

/// <summary>The key an application's tokens are signed with now (<see cref="SigningKeyRing"/> keeps it).</summary>
public interface ICurrentSigningKey
{
    /// <summary>
    /// The key that signs now, kept published until at least <paramref name="signsUntil"/> (the latest expiry of the
    /// token about to be signed).
    /// </summary>
    /// <returns><c>null</c> when there is no such application.</returns>
    Task<TokenSigningKey?> GetCurrentSigningKeyAsync(AppId application, DateTimeOffset signsUntil, CancellationToken cancellationToken);
}
