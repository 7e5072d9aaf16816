namespace Connect.Application.RevokeAll;

/// <summary>
/// Revoke-all's work and its client JWT's replay record as one atomic step: one statement, one transaction a request
/// (docs/decisions.md "One transaction a revoke-all").
/// </summary>
public interface IRecordingRevoker
{
    /// <summary>
    /// Records <paramref name="use"/> as <see cref="IClientJwtReplayStore.TryRecordFirstUseAsync"/> would alone and,
    /// only when it recorded it now, revokes as <see cref="Connect.Domain.Sessions.IRefreshTokenRevoker"/> does for the
    /// application the use names, in the same atomic step: a replay or a changed application revokes nothing.
    /// </summary>
    Task<RecordedRevocation> RevokeAllActiveAsync(
        SectorId sector, SectorSubject subject, JtiFirstUse use, CancellationToken cancellationToken);
}

/// <param name="Recording">What writing the record found; only <see cref="JtiRecording.FirstUse"/> revoked.</param>
/// <param name="RevokedCount">As <see cref="Connect.Domain.Sessions.IRefreshTokenRevoker"/> answers it: <c>null</c>
/// when the subject names no account in the sector (and always when nothing was recorded).</param>
public readonly record struct RecordedRevocation(JtiRecording Recording, int? RevokedCount);
