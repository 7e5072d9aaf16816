namespace Connect.Application.ClientAuthentication;

/// <summary>
/// A client JWT's first use, for the statement that does the request's work to record: the token was checked
/// against <paramref name="Revision"/> of the application, and the record is written only while the application is
/// still at it, exactly as <see cref="IClientJwtReplayStore.TryRecordFirstUseAsync"/> writes it alone.
/// </summary>
/// <param name="KeepUntil">The token's exp plus the allowed skew, on this instance's clock.</param>
public sealed record JtiFirstUse(AppId Application, long Revision, string Jti, DateTimeOffset KeepUntil);

/// <summary>
/// A client JWT that passed every check of the policy but its replay record, left for the endpoint's own statement
/// to write (<see cref="ClientJwtPolicy.DecideAsync(string?, ReadOnlyMemory{byte}, bool, CancellationToken)"/>), so
/// that the request is one transaction. Until then the request is not proved new: whatever would refuse it first
/// calls <see cref="RecordAsync"/>, so that a replay still answers <c>ClientJwtReplayed</c> and a disabled or
/// changed application its own reason, as the contract's order of checks puts them before every later one.
/// </summary>
public sealed class UnrecordedClientJwt
{
    private readonly Func<CancellationToken, Task<Outcome<AuthenticatedApplication>>> _decideRecorded;
    private Task<Outcome<AuthenticatedApplication>>? _recorded;

    /// <param name="decideRecorded">The policy's decision of the same request with its record written alone.</param>
    public UnrecordedClientJwt(JtiFirstUse use, Func<CancellationToken, Task<Outcome<AuthenticatedApplication>>> decideRecorded)
    {
        Use = use;
        _decideRecorded = decideRecorded;
    }

    public JtiFirstUse Use { get; }

    /// <summary>
    /// Decides the request again as one whose record is written alone: the application read again if it changed, the
    /// record written, the replay or the disabled application refused. Decided once: a second call answers the first
    /// call's outcome, so the use case and the endpoint's refusal can both ask.
    /// </summary>
    public Task<Outcome<AuthenticatedApplication>> RecordAsync(CancellationToken cancellationToken) =>
        _recorded ??= _decideRecorded(cancellationToken);
}
