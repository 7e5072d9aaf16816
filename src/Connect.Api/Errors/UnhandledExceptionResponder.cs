namespace Connect.Api.Errors;

/// <summary>
/// Turns an exception that escaped the pipeline into the contract's answer: an unreachable or failing-over
/// database is <c>503 ServiceUnavailable</c> (the statement that failed changed nothing: each is atomic),
/// anything else is the private 500. The detail goes to the log only: the framework logs an unexpected exception
/// with its stack trace; an outage is reported by <see cref="PostgresOutages.Report"/>, a few lines a minute.
/// </summary>
internal static class UnhandledExceptionResponder
{
    public static Task RespondAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (!PostgresOutages.IsOutage(exception))
        {
            return ReasonResponse.WriteAsync(context, ReasonCode.InternalError);
        }

        var outages = context.RequestServices.GetRequiredService<PostgresOutages>();
        outages.ForgetIdleConnectionsAfter(exception);
        outages.Report(exception);
        return ReasonResponse.WriteAsync(context, ReasonCode.ServiceUnavailable);
    }
}
