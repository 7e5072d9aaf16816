namespace Connect.Application.Signals;

/// <summary>
/// One pending signal this instance has claimed, with what its receiver needs: enough to mint a fresh token and send
/// it. <see cref="Lease"/> fences every outcome written back.
/// </summary>
public sealed record DueSignal(
    SignalLease Lease,
    ReceiverId Receiver,
    AppId Application,
    string Url,
    SignalFormat Format,
    string Audience,
    string Subject,
    string? SessionId,
    InitiatingEntity InitiatingEntity,
    DateTimeOffset EndedAt,
    DateTimeOffset CommittedAt)
{
    /// <summary>This attempt's number: 1 for the first.</summary>
    public int Attempt => Lease.Attempt;
}

/// <summary>
/// A claim on one signal: the instance that holds it and the attempt number the claim counted. An outcome is written
/// only while both still match, so the late answer of a lease that ran out (and was claimed again) changes nothing.
/// </summary>
public readonly record struct SignalLease(long SignalId, string LeasedBy, int Attempt);

/// <summary>The outbox's backlog: how many signals are pending and how long the oldest has waited since its commit.</summary>
public readonly record struct SignalBacklog(long Pending, TimeSpan OldestPendingAge);
