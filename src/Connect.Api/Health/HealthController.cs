using System.Reflection;
using Connect.Infrastructure.Postgres;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Health;

public sealed class HealthController(PostgresReadinessProbe database) : ControllerBase
{
    private static readonly string Version =
        typeof(HealthController).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    /// <summary>Ready when the database answers.</summary>
    [HttpGet("/health")]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status503ServiceUnavailable, "application/json")]
    public async Task<IActionResult> Health(CancellationToken cancellationToken)
    {
        var ready = await database.IsReadyAsync(cancellationToken);
        var body = new HealthResponse(ready, "connect", Version);
        return ready ? Ok(body) : StatusCode(StatusCodes.Status503ServiceUnavailable, body);
    }

    public sealed record HealthResponse(bool Ready, string Service, string Version);
}
