using Connect.Domain.Applications;

namespace Connect.Application.ClientAuthentication;

/// <summary>Remembers which <c>jti</c> values each application has already used.</summary>
public interface IClientJwtReplayStore
{
    /// <summary>
    /// Records (application, jti) if it was never recorded, as one atomic step: of any number of concurrent
    /// calls with the same pair, on any number of instances, exactly one returns <c>true</c>.
    /// </summary>
    /// <param name="keepUntil">The record may be purged after this instant (the token's exp plus the allowed skew).</param>
    /// <returns><c>true</c> for the first use, <c>false</c> for a replay.</returns>
    /// <exception cref="Exception">Any failure to reach the store propagates: replay protection fails closed.</exception>
    Task<bool> TryRecordFirstUseAsync(
        AppId application, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}
