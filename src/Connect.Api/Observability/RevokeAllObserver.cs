using System.Diagnostics;
using Connect.Api.Authentication;
using Connect.Api.Controllers;
using Connect.Application.ClientAuthentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace Connect.Api.Observability;

/// <summary>
/// One log line and one set of measurements per <c>POST /revoke-all</c>, whatever answered it: the body gate,
/// the authentication handler, the rate limiter, the controller or the exception handler. It stands first in
/// the pipeline for that reason. It logs what the request ended with, never what it carried: no JWT, no
/// header, no key, no subject (only <see cref="ObservedOutcome.SubjectHash"/>).
/// </summary>
internal sealed partial class RevokeAllObserver(RequestDelegate next, ConnectMetrics metrics, ILogger<RevokeAllObserver> logger)
{
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
            if (IsRevokeAll(context))
            {
                Record(context, outcome, threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
            }
        }
    }

    /// <summary>The exception handler clears the endpoint before it answers; its feature keeps the original.</summary>
    private static bool IsRevokeAll(HttpContext context)
    {
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        return endpoint?.Metadata.GetMetadata<ControllerActionDescriptor>()?.ControllerTypeInfo == typeof(RevokeAllController);
    }

    private void Record(HttpContext context, ObservedOutcome outcome, int status, TimeSpan duration)
    {
        var name = outcome.Reason?.Name
            ?? (outcome.RevokedCount is not null ? ConnectMetrics.Revoked
                : context.RequestAborted.IsCancellationRequested ? "Aborted" : "Unclassified");
        metrics.RevokeAllAnswered(name, status, duration);
        metrics.TokensRevoked(outcome.RevokedCount ?? 0);
        if (outcome.Reason is { Status: StatusCodes.Status401Unauthorized } rejected)
        {
            metrics.ClientAuthenticationFailed(rejected);
        }

        // Named once its signature verified (then refused or not); before that, the iss of the JWT is just a claim.
        var anchor = context.Features.Get<AuthenticatedApplication>()?.Anchor.Value
            ?? context.Features.Get<SignedByApplication>()?.Anchor.Value;
        var durationMs = Math.Round(duration.TotalMilliseconds, 2);
        LogAnswered(status, name, anchor, outcome.RevokedCount ?? 0, durationMs, outcome.SubjectHash);
    }

    [LoggerMessage(
        EventId = 1,
        EventName = "RevokeAllAnswered",
        Level = LogLevel.Information,
        Message = "POST /revoke-all answered {StatusCode} {Outcome} for application {Anchor}: revokedCount {RevokedCount}, " +
                  "subject hash {SubjectHash}, {DurationMs} ms")]
    private partial void LogAnswered(int statusCode, string outcome, string? anchor, int revokedCount, double durationMs, string? subjectHash);
}
