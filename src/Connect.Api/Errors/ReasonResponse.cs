namespace Connect.Api.Errors;

/// <summary>
/// The one place a reason code becomes an HTTP answer: its status, and <c>{"reason":"..."}</c> or, for a
/// private reason, a zero-byte body; a Bearer endpoint's 401 is its own <c>{"error":"invalid_token"}</c>
/// (<see cref="EndpointContract.AnswersRfc6750Errors"/>). Nothing else writes error responses.
/// </summary>
internal static class ReasonResponse
{
    /// <summary>Seconds a client should wait after 503 before trying again.</summary>
    public const int ServiceUnavailableRetryAfterSeconds = 5;

    /// <summary>
    /// Seconds a client should wait after 429: the budget refills whole tokens every second with no queue, so one
    /// second always brings the next token (<see cref="Authentication.ApplicationRateBudget"/>).
    /// </summary>
    public const int RateLimitedRetryAfterSeconds = 1;

    public static Task WriteAsync(HttpContext context, ReasonCode reason, int? retryAfterSeconds = null)
    {
        if (context.Features.Get<ObservedOutcome>() is { } observed)
        {
            observed.Reason = reason;
        }

        var response = context.Response;
        response.StatusCode = reason.Status;
        var contract = context.GetEndpoint()?.Metadata.GetMetadata<EndpointContract>();

        if (reason.Status == StatusCodes.Status401Unauthorized && contract?.Challenge is { } challenge)
        {
            response.Headers.WWWAuthenticate = challenge;
        }

        retryAfterSeconds ??= reason == ReasonCode.ServiceUnavailable ? ServiceUnavailableRetryAfterSeconds
            : reason == ReasonCode.RateLimited ? RateLimitedRetryAfterSeconds
            : null;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (reason.IsPrivate)
        {
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        if (contract?.AnswersRfc6750Errors == true && reason.Status == StatusCodes.Status401Unauthorized)
        {
            // RFC 6750 §3.1: whatever was wrong with the token, the caller learns only that it is not usable.
            return JsonAnswer.WriteAsync(response, BearerErrorBody.InvalidToken, AnswerJson.Default.BearerErrorBody, context.RequestAborted);
        }

        // The endpoint's declared caching headers (EndpointContract.AnswerHeaders) apply to its errors as to its answers.
        return JsonAnswer.WriteAsync(response, new ReasonBody(reason.Name), AnswerJson.Default.ReasonBody, context.RequestAborted);
    }

    /// <summary>The same answer as an MVC result, for controllers.</summary>
    public static IActionResult AsResult(ReasonCode reason) => new Result(reason);

    internal sealed record ReasonBody(string Reason);

    /// <summary>The error body of a Bearer endpoint (RFC 6750 §3.1).</summary>
    internal sealed record BearerErrorBody(string Error)
    {
        public static BearerErrorBody InvalidToken { get; } = new("invalid_token");
    }

    private sealed class Result(ReasonCode reason) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => WriteAsync(context.HttpContext, reason);
    }
}
