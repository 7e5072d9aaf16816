using System.Globalization;
using Connect.Api.Observability;
using Connect.Api.Responses;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Connect.Api.Errors;

/// <summary>
/// The one place a reason code becomes an HTTP answer: its status, and <c>{"reason":"..."}</c> or, for a
/// private reason, a zero-byte body. Nothing else writes error responses.
/// </summary>
internal static class ReasonResponse
{
    /// <summary>Seconds a client should wait after 503 before trying again.</summary>
    public const int ServiceUnavailableRetryAfterSeconds = 5;

    public static Task WriteAsync(HttpContext context, ReasonCode reason, int? retryAfterSeconds = null)
    {
        if (context.Features.Get<ObservedOutcome>() is { } observed)
        {
            observed.Reason = reason;
        }

        var response = context.Response;
        response.StatusCode = reason.Status;

        if (reason.Status == StatusCodes.Status401Unauthorized
            && context.GetEndpoint()?.Metadata.GetMetadata<AuthenticationChallengeAttribute>() is { } challenge)
        {
            response.Headers.WWWAuthenticate = challenge.Challenge;
        }

        retryAfterSeconds ??= reason == ReasonCode.ServiceUnavailable ? ServiceUnavailableRetryAfterSeconds
            // A handler's 429 (a body-token endpoint's rate budget) knows no wait of its own: one bucket refill.
            : reason == ReasonCode.RateLimited ? 1 : null;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (reason.IsPrivate)
        {
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        return JsonAnswer.WriteAsync(response, new ReasonBody(reason.Name), AnswerJson.Default.ReasonBody, context.RequestAborted);
    }

    /// <summary>The same answer as an MVC result, for controllers.</summary>
    public static IActionResult AsResult(ReasonCode reason) => new Result(reason);

    internal sealed record ReasonBody(string Reason);

    private sealed class Result(ReasonCode reason) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => WriteAsync(context.HttpContext, reason);
    }
}
