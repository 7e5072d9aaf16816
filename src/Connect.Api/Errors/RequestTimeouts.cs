namespace Connect.Api.Errors;

/// <summary>
/// A backstop over the database timeouts: a request that still runs after this long is cancelled (its
/// statement with it, so nothing is half done) and answered <c>503 ServiceUnavailable</c>.
/// </summary>
internal static class RequestTimeouts
{
    public static RequestTimeoutPolicy Default { get; } = new()
    {
        Timeout = TimeSpan.FromSeconds(15),
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = context => ReasonResponse.WriteAsync(context, ReasonCode.ServiceUnavailable),
    };
}
