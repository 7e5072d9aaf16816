namespace Connect.Api.Health;

public sealed class HealthController(ReadinessCache readiness) : ControllerBase, IDescribedEndpoint
{
    /// <summary>
    /// No reason, no credential, no budget; its access-log lines are written at Debug, since load balancers ask every
    /// few seconds (its metrics are recorded as any other's). Its 503 is no reason: the same body, not ready.
    /// </summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(HttpMethods.Get, "/health", "health", typeof(HealthResponse), [])
    {
        Observation = EndpointObservation.Quiet,
        AnswersOutages = false,
    };

    private static readonly string Version =
        typeof(HealthController).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    /// <summary>Ready when the database answered (a result at most a second old).</summary>
    /// <remarks>
    /// Both generations of official clients read it (docs/contract/revoke-all.md "Health"): the first reads <c>ready</c>, the
    /// second <c>status</c>.
    /// </remarks>
    [ProducesResponseType<HealthResponse>(StatusCodes.Status503ServiceUnavailable, "application/json")]
    public async Task<IActionResult> Health(CancellationToken cancellationToken)
    {
        var ready = await readiness.IsReadyAsync(cancellationToken);
        var body = new HealthResponse(ready, ready ? "ok" : "unavailable", "connect", Version);
        return ready ? Ok(body) : StatusCode(StatusCodes.Status503ServiceUnavailable, body);
    }

    /// <param name="Status"><c>ok</c> or <c>unavailable</c>, the same answer as <paramref name="Ready"/>.</param>
    public sealed record HealthResponse(bool Ready, string Status, string Service, string Version);
}
