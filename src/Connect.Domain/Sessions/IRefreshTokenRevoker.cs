namespace Connect.Domain.Sessions;

/// <summary>Revokes refresh tokens (the long-lived credential of one session).</summary>
public interface IRefreshTokenRevoker
{
    /// <summary>
    /// Finds the account the subject names, looking only inside <paramref name="sector"/>, and revokes, atomically,
    /// every refresh token of that account issued for the application that is still active (neither revoked nor
    /// expired), recording the call and its count in the revocation audit in the same atomic step.
    /// <paramref name="sector"/> must be the application's own (revoke-all passes its authenticated caller's): the
    /// subject found there is the one the signals to the application's receivers name.
    /// </summary>
    /// <returns>
    /// How many tokens this call revoked (concurrent calls never count the same token twice), or <c>null</c> when the
    /// subject was never issued in that sector: then nothing is revoked and nothing is audited.
    /// </returns>
    Task<int?> RevokeAllActiveAsync(SectorId sector, SectorSubject subject, AppId application, CancellationToken cancellationToken);
}
