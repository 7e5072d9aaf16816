namespace Connect.Api.Observability;

/// <summary>
/// The access log and the request metrics of every endpoint: one log line and one set of measurements per request
/// to a controller action, whatever answered it: the body gate, authentication, the controller, the use case or
/// the exception handler. It stands first in the pipeline for that reason. It logs what the request ended with,
/// never what it carried: no token, no header, no key, no subject, no sid (only their short hashes,
/// <see cref="ObservedOutcome"/>). Each endpoint is named by its method and route template.
/// </summary>
/// <remarks>
/// What it knows of an endpoint comes from its <see cref="EndpointContract"/>: the access log's level, and older names
/// kept as aliases (<see cref="ObservationAliases.RevokeAll"/>: the line <c>RevokeAllAnswered</c>, with the revoked
/// count and the subject hash, and the <c>connect.revoke_all.*</c> instruments besides the per-endpoint ones); every
/// other endpoint logs <c>EndpointAnswered</c>. The revoked count is an outcome any endpoint may report.
/// </remarks>
internal sealed partial class EndpointObserver(RequestDelegate next, ConnectMetrics metrics, ILogger<EndpointObserver> logger)
{
    /// <summary>The outcome of a 2xx whose endpoint named none.</summary>
    public const string Answered = "Answered";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = new ObservedOutcome();
        context.Features.Set(outcome);
        var threw = false;
        try
        {
            await next(context);
        }
        catch
        {
            threw = true;
            throw;
        }
        finally
        {
            if (ObservedAction(context) is { } action)
            {
                Record(context, action, outcome, threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    /// <summary>The exception handler clears the endpoint before it answers; its feature keeps the original.</summary>
    private static (ControllerActionDescriptor Descriptor, Endpoint Endpoint)? ObservedAction(HttpContext context)
    {
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        return endpoint?.Metadata.GetMetadata<ControllerActionDescriptor>() is { } descriptor ? (descriptor, endpoint) : null;
    }

    private void Record(
        HttpContext context, (ControllerActionDescriptor Descriptor, Endpoint Endpoint) action, ObservedOutcome outcome, int status, TimeSpan duration)
    {
        var name = outcome.Reason?.Name
            ?? outcome.Result
            ?? (outcome.RevokedCount is not null ? ConnectMetrics.Revoked
                : context.RequestAborted.IsCancellationRequested ? "Aborted"
                : status is >= 200 and < 300 ? Answered
                : "Unclassified");
        var method = context.Request.Method;
        var route = Route(action.Endpoint);
        metrics.EndpointAnswered(method, route, name, status, duration);

        // Named once a signature verified (then refused or not); before that, an iss or aud is just a claim.
        var anchor = context.Features.Get<AuthenticatedApplication>()?.Anchor.Value
            ?? context.Features.Get<SignedByApplication>()?.Anchor.Value;
        var durationMs = Math.Round(duration.TotalMilliseconds, 2);
        var contract = action.Endpoint.Metadata.GetMetadata<EndpointContract>();
        var observation = contract?.Observation ?? EndpointObservation.Default;
        metrics.TokensRevoked(outcome.RevokedCount ?? 0);
        if (observation.Aliases == ObservationAliases.RevokeAll)
        {
            metrics.RevokeAllAnswered(name, status, duration);
            LogRevokeAllAnswered(status, name, anchor, outcome.RevokedCount ?? 0, durationMs, outcome.SubjectHash);
        }
        else
        {
            LogEndpointAnswered(observation.AccessLogLevel, method, route, status, name, anchor, outcome.SessionHash, durationMs);
        }

        if (outcome.Reason is { Status: StatusCodes.Status401Unauthorized } rejected && contract?.AuthenticatesByClientJwt == true)
        {
            metrics.ClientAuthenticationFailed(rejected);
        }
    }

    /// <summary>The route template, as the endpoint declares it (<c>/applications/{anchor}/jwks.json</c>): a closed set.</summary>
    private static string Route(Endpoint endpoint)
    {
        var template = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? endpoint.DisplayName ?? "?";
        return template.StartsWith('/') ? template : "/" + template;
    }

    [LoggerMessage(
        EventId = 1,
        EventName = "RevokeAllAnswered",
        Level = LogLevel.Information,
        Message = "POST /revoke-all answered {StatusCode} {Outcome} for application {Anchor}: revokedCount {RevokedCount}, " +
                  "subject hash {SubjectHash}, {DurationMs} ms")]
    private partial void LogRevokeAllAnswered(int statusCode, string outcome, string? anchor, int revokedCount, double durationMs, string? subjectHash);

    [LoggerMessage(
        EventId = 2,
        EventName = "EndpointAnswered",
        Message = "{Method} {Endpoint} answered {StatusCode} {Outcome} for application {Anchor}: session hash {SessionHash}, {DurationMs} ms")]
    private partial void LogEndpointAnswered(
        LogLevel level, string method, string endpoint, int statusCode, string outcome, string? anchor, string? sessionHash, double durationMs);
}
