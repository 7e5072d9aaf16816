namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// One request of the drill's load and what came back, kept whole so that every check runs on recorded
/// answers. <see cref="Endpoint"/> says which verifier reads <see cref="Target"/> and <see cref="Result"/>:
/// for <c>/revoke-all</c> the target is the account and the result its <c>revokedCount</c>; for <c>/refresh</c>
/// the target is the session, <see cref="Jti"/> the presented token's, and the result the version answered.
/// </summary>
/// <param name="SentAt">Seconds since the phase began.</param>
/// <param name="Status">HTTP status, or null when no HTTP answer came (see <see cref="Failure"/>).</param>
/// <param name="Failure">"refused" (connection refused), "dropped" (connection lost), "timeout", or null.</param>
internal sealed record DrillAnswer(
    string Endpoint,
    int Target,
    string Jti,
    double SentAt,
    double AnsweredAt,
    int? Status,
    string? Reason,
    bool RetryAfter,
    string? Failure,
    long? Result,
    DrillRequest Request)
{
    public bool Succeeded => Status == 200;

    /// <summary><c>/refresh</c>: the version of the refresh token presented.</summary>
    public int? PresentedVersion { get; init; }

    /// <summary><c>/refresh</c>: the refresh token a 200 answered, kept whole to compare answers byte for byte.</summary>
    public string? AnsweredToken { get; init; }

    /// <summary>What the contract allows a failure to be: 503 with Retry-After, or a refused connection.</summary>
    public bool IsAllowedFailure => Status == 503 && Reason == "ServiceUnavailable" && RetryAfter || Failure == "refused";

    /// <summary>A failure after which the request may or may not have taken effect (its answer was lost).</summary>
    public bool IsAmbiguous => !Succeeded && (Status is null or >= 500);

    public string Key => Status is { } status ? $"{status} {Reason ?? "-"}" : Failure ?? "unknown";
}

/// <summary>The exact bytes sent, so that a request can be sent again (a replay must never be honoured).</summary>
/// <param name="Authorization">The client JWT's header for <c>/revoke-all</c>; none for <c>/refresh</c> (its token is the body).</param>
internal sealed record DrillRequest(string Path, string? Authorization, byte[] Body);
