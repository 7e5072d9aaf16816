using Connect.Domain.Applications;

namespace Connect.Domain.Accounts;

/// <summary>Maps a sector subject back to the account it names, looking only inside one sector.</summary>
public interface ISectorSubjectMap
{
    /// <returns>The account, or <c>null</c> when the subject was never issued in that sector.</returns>
    Task<AccountId?> FindAccountAsync(SectorId sector, SectorSubject subject, CancellationToken cancellationToken);
}
