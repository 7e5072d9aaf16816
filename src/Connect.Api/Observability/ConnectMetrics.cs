namespace Connect.Api.Observability;

/// <summary>
/// Connect's own instruments, on the meter <c>Connect</c>. Tags carry endpoints (route templates), reason codes and
/// statuses only (closed, small sets): never an anchor, a subject, a sid or anything else whose values grow with
/// the data.
/// </summary>
internal sealed class ConnectMetrics
{
    public const string EndpointRequestsName = "connect.endpoint.requests";
    public const string EndpointDurationName = "connect.endpoint.duration";

    // Revoke-all's own names, older than the per-endpoint ones: kept, with the same values, for the dashboards
    // and alerts built on them.
    public const string RequestsName = "connect.revoke_all.requests";
    public const string DurationName = "connect.revoke_all.duration";
    public const string RevokedTokensName = "connect.revoke_all.revoked_tokens";
    public const string AuthenticationFailuresName = "connect.client_authentication.failures";

    public const string ReasonTag = "reason";
    public const string StatusTag = "http.response.status_code";
    public const string MethodTag = "http.request.method";
    public const string RouteTag = "http.route";

    /// <summary>The outcome tag of a request that revoked (or found nothing to revoke): not a reason code.</summary>
    public const string Revoked = "Revoked";

    // Seconds; the SDK's default buckets are for milliseconds and would put every request in the first one.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    private readonly Counter<long> _endpointRequests;
    private readonly Histogram<double> _endpointDuration;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _revokedTokens;
    private readonly Counter<long> _authenticationFailures;

    public ConnectMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(ConnectTelemetry.Name);
        _endpointRequests = meter.CreateCounter<long>(
            EndpointRequestsName, "{request}", "Requests answered, by endpoint (method and route), outcome (a reason code, or the success's name) and status.");
        _endpointDuration = meter.CreateHistogram(
            EndpointDurationName, "s", "Time to answer, by endpoint, outcome and status, from the first byte read to the last written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _requests = meter.CreateCounter<long>(
            RequestsName, "{request}", "POST /revoke-all requests answered, by outcome (a reason code, or Revoked) and status.");
        _duration = meter.CreateHistogram(
            DurationName, "s", "Time to answer POST /revoke-all, from the first byte read to the last written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _revokedTokens = meter.CreateCounter<long>(
            RevokedTokensName, "{token}", "Sessions revoked by POST /revoke-all.");
        _authenticationFailures = meter.CreateCounter<long>(
            AuthenticationFailuresName, "{failure}", "Client JWTs rejected, by reason code.");
    }

    public void EndpointAnswered(string method, string route, string outcome, int status, TimeSpan duration)
    {
        var tags = new TagList { { MethodTag, method }, { RouteTag, route }, { ReasonTag, outcome }, { StatusTag, status } };
        _endpointRequests.Add(1, tags);
        _endpointDuration.Record(duration.TotalSeconds, tags);
    }

    public void RevokeAllAnswered(string outcome, int status, TimeSpan duration)
    {
        var tags = new TagList { { ReasonTag, outcome }, { StatusTag, status } };
        _requests.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void TokensRevoked(int count)
    {
        if (count > 0)
        {
            _revokedTokens.Add(count);
        }
    }

    public void ClientAuthenticationFailed(ReasonCode reason) =>
        _authenticationFailures.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason.Name));
}
